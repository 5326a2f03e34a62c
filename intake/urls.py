from django.urls import path

from intake import tablet_views, views
from intake.followup import desk_views as followup_views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("start/<uuid:patient_id>/", views.start, name="start"),
    path("alerts/banner/", views.alerts_banner, name="alerts-banner"),
    path("alerts/<uuid:public_id>/", views.alert_detail, name="alert"),
    path("followups/", followup_views.packets, name="packets"),
    path(
        "followups/<uuid:public_id>/withdraw/", followup_views.packet_cancel, name="packet-cancel"
    ),
    path("tablets/", tablet_views.tablet_list, name="tablets"),
    path("tablets/this-device/", tablet_views.this_device, name="tablet-this-device"),
    path("tablets/<uuid:public_id>/revoke/", tablet_views.tablet_revoke, name="tablet-revoke"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/handover/", views.handover, name="handover"),
    path("<uuid:public_id>/kiosk/", views.kiosk_open, name="kiosk-open"),
    path("<uuid:public_id>/link/", views.link_create, name="link-create"),
    path("<uuid:public_id>/close-form/", views.close_access, name="close-access"),
    path("<uuid:public_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:public_id>/signature.png", views.signature, name="signature"),
    path("<uuid:public_id>/amend/<slug:step>/", views.amend, name="amend"),
]
