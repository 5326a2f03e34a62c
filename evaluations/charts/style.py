"""How the charts look: colours (each text and line colour at least 4.5:1 on white), text
sizes and the plot's margins, shared by the label placement, the SVG writer and both charts.
Changing one changes every chart's string: bump `ALGORITHM_VERSION`.
"""

# 1.1: a patient-reported point (a follow-up packet) is a square, with its legend.
ALGORITHM_VERSION = "charts-1.1"

INK = "#1f4e79"  # line, dots, value labels: 8.7:1 on white
TEXT = "#333333"  # 12.6:1
MUTED = "#555555"  # axes, ticks: 7.5:1
BETTER = "#1b5e20"  # the important-improvement line and label: 7.9:1 (6.3:1 on the band)
BAND = "#dbe7f3"  # light tint behind the minimal-important-change band
GRID = "#e3e3e3"  # decorative only
WHITE = "#ffffff"
FONT = "sans-serif"

MIN_WIDTH, MIN_HEIGHT = 240, 140
_TOP, _BOTTOM, _RIGHT = 40, 30, 16  # the top holds the title and the draft legend
_MEASURE_LEFT = 44
_INNER_PAD = 18  # keeps end dots off the axes
_DOT_R = 4.5
# Text is at least 11 px at the chart's own size: readable on screen and in print.
TEXT_SIZE, TITLE_SIZE = 11, 12
# Average advance of a character as a share of the font size, generous for the wide
# sans-serif fonts (DejaVu Sans): label boxes are estimated, never measured, so they err
# on the large side and a label that fits never touches its neighbour.
_CHAR_WIDTH = 0.62
_LABEL_PAD = 2  # px kept clear around every label box
_POINT_GAP = 3  # px between two dots on the same day
_TITLE_LINE = 15  # px from one line of a wrapped title to the next
_STRIP = 16  # px: the width of place_labels' index strips
_KEY = 16  # px before a label moved into the key row: its swatch or line sample
