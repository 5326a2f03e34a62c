"""Progress chart benchmark: building the SVG of a measure chart with 60 points.

    uv run python bench/charts.py [--runs N]

Pure code, no database. Prints the median and p95 time per chart; the target is well under
5 ms a chart (the evaluation page draws up to five). See bench/README.md.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluations.charts import measure_chart_svg  # noqa: E402
from evaluations.progress import Point, measure_progress  # noqa: E402

DAY = datetime.date(2026, 1, 5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    points = [
        Point(
            DAY + datetime.timedelta(days=3 * i),
            (i * 7) % 11,
            f"Visit {i}",
            "evaluation",
            i % 5 == 0,
        )
        for i in range(60)
    ]
    progress = measure_progress("back_pain", points)
    for _ in range(10):
        measure_chart_svg(progress)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        measure_chart_svg(progress)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"measure chart, 60 points: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
