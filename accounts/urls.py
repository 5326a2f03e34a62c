from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.mfa_verify, name="mfa-verify"),
    path("two-factor/setup/", views.mfa_setup, name="mfa-setup"),
    path("two-factor/recovery-codes/", views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("confirm/", views.step_up, name="step-up"),
    path("password/", views.own_password, name="password"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/new/", views.staff_new, name="staff-new"),
    path("staff/<uuid:public_id>/", views.staff_edit, name="staff-edit"),
    path("staff/<uuid:public_id>/password/", views.staff_password, name="staff-password"),
    path("staff/<uuid:public_id>/unlock/", views.staff_unlock_view, name="staff-unlock"),
    path(
        "staff/<uuid:public_id>/two-factor/reset/",
        views.staff_mfa_reset_view,
        name="staff-mfa-reset",
    ),
]
