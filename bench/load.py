"""Load test: intake tablets and therapists against gunicorn and PostgreSQL, then an exact
check of what the database holds.

    uv run python bench/load.py [--users-tablets 50] [--users-therapists 10] [--duration 120]
        [--warmup 15] [--database-url URL] [--workers N] [--threads N] [--think-scale 1.0]
        [--nice N] [--keep]

Set-up (in this process, with the production settings): a PostgreSQL database of its own,
dropped and created empty on every run, migrated and seeded with synthetic patients, one
one-time intake link per intake a tablet may take, and therapist accounts (with a TOTP
device when two-factor sign-in is installed), each with a draft evaluation of its own.
Each tablet's first patient is already part-way through (0 to 10 screens saved), so the
run starts in a clinic's steady state. Static files are collected into a temporary
STATIC_ROOT, and gunicorn serves the app on a free loopback port with DEBUG off, as
production runs it (gunicorn.conf.py, else docker-compose.yml's flags).

The load runs in a child process (locust, headless, as a library): locust patches the
standard library with gevent on import, which must never reach Django.

- A tablet opens its link, enters the patient's date of birth, walks every screen with a
  patient's think time, autosaving after each answer as the page does, saves with Next,
  sends once, and takes the next patient's link.
- A therapist signs in (password, then the TOTP code when asked), opens their evaluation,
  autosaves sections with changing values, polls the red-flag alert banner as every staff
  page does, and reloads the page now and then.

After --warmup seconds (users starting, therapists signing in, workers loading templates)
it times --duration seconds, then stops every user between two requests. It prints
requests per second, n/p50/p95/p99/max/errors per endpoint (by URL name), where the CPU
went, the targets with PASS/FAIL, and then checks the database: every intake a tablet
sent is submitted exactly once with the answers sent, no other intake is submitted, and
every evaluation section holds the last value saved, with one version and one audit
entry per save. Exit status 0: all PASS; 1: a FAIL; 2: set-up error. See bench/README.md.
"""

import argparse
import contextlib
import copy
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evaluation import FormFields  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_load"
CLIENT_FLAG = "--client"
BASELINE_FLAG = "--baseline-client"
TARGET_P95_MS = 150.0
SETTINGS_MODULE = "bench_load_settings"

# Think time, in seconds (times --think-scale): low and high of a uniform draw.
THINK = {
    "handover": (0.0, 10.0),  # tablets are handed to patients at different moments
    "dob": (2.0, 5.0),  # the patient types their date of birth on the link page
    "read": (1.0, 3.0),  # reads a new screen
    "answer": (0.4, 1.2),  # answers one question (each answer is autosaved)
    "next": (0.3, 1.0),  # looks the screen over, taps Next
    "review": (2.0, 5.0),  # reads the summary, taps Send
    "between": (3.0, 8.0),  # the tablet goes back to the desk and to the next patient
    "sign_in": (0.0, 10.0),  # therapists start at different moments
    "typing": (1.5, 4.0),  # a therapist types; the form autosaves after 800 ms
}
RELOAD_EVERY = (10, 20)  # a therapist reloads the evaluation page every so many saves
# Answer screens of the intake: all but the ODI, which needs a licensed pack.
SCREENS = 10

# The evaluation field a therapist changes in each section: free text they type in, or a
# number they correct.
TYPED = {"neuro": "notes", "plan": "hep", "classification": "rationale"}
NUMBERS = {
    "outcomes": ("leg_now", 0, 10),
    "movements": ("movements-std-EIL-repetitions", 5, 15),
    "neurodynamic": ("neurodynamic-std-SLR-L-onset_angle_deg", 30, 60),
}

# The p95 target covers saves and page loads. Not the sign-in POSTs (the password check is
# PBKDF2 with Django's full work factor, slow by design and once per person, and the
# two-factor step belongs with it) nor the alert banner's background poll.
UNTARGETED = {"POST accounts:login", "POST accounts:mfa-verify", "GET intake:alerts-banner"}


# --- Pages and forms (client side) ------------------------------------------------------------


class PageForms(FormFields):
    """Every <form> of a page, with its attributes and the name/value pairs a browser
    submits for it (bench/evaluation.py's FormFields, for all forms in one pass)."""

    def __init__(self):
        super().__init__(form_id=None)
        self.forms: list[tuple[dict, list]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.inside = True
            self.pairs = []
            self.forms.append((dict(attrs), self.pairs))
            return
        super().handle_starttag(tag, attrs)


def page_forms(html: str) -> list[tuple[dict, dict[str, list[str]]]]:
    parser = PageForms()
    parser.feed(html)
    out = []
    for attrs, pairs in parser.forms:
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        out.append((attrs, data))
    return out


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def intake_answers(rng: random.Random) -> dict[str, dict]:
    """One patient's answers: the synthetic answers of the intake tests, with the pain
    ratings, PSFS scores, STarT Back answers and phone number varied, so every intake
    sent differs from the others."""
    from tests.intake.answers import HAPPY

    answers = copy.deepcopy(HAPPY)
    answers["about"]["phone"] = f"+44 7700 900{rng.randrange(1000):03d}"
    for code in answers["pain"]:
        answers["pain"][code] = str(rng.randint(0, 10))
    for n in (1, 2, 3):
        answers["psfs"][f"score_{n}"] = str(rng.randint(0, 10))
    for n in range(1, 9):
        answers["startback"][f"sbst_{n}"] = rng.choice(("agree", "disagree"))
    answers["history"]["medications"] = rng.choice(
        ("Ibuprofen 400 mg when needed", "Paracetamol 1 g four times a day", "None", "")
    )
    return answers


# --- Simulated users (client side; locust glue in client_main) ----------------------------------


class Stopping(Exception):
    """The run is over: leave at once (raised only before a request is sent)."""


class Failed(Exception):
    """A request that failed its check (already counted as an error)."""


class KeptAliveReset(Exception):
    """No answer on a reused connection: the server had just closed it. Sent again."""


class Flow:
    """What tablets and therapists share: named requests with checks, and think time that
    ends early when the run stops."""

    plan: dict
    shared: dict
    stop = None  # gevent Event, set when the run is over
    rng: random.Random

    def think(self, kind: str) -> None:
        low, high = THINK[kind]
        self.sleep(self.rng.uniform(low, high) * self.plan["think_scale"])

    def sleep(self, seconds: float) -> None:
        if self.stop.wait(max(seconds, 0)):
            raise Stopping

    def call(self, method, url, name, *, expect=(200,), text=None, **kwargs):
        if self.stop.is_set():
            raise Stopping
        for attempt in (1, 2):
            # gunicorn closes a connection after `keepalive` idle seconds; open a new one
            # after a pause rather than race it.
            now = time.monotonic()
            reused = (
                hasattr(self, "last_call") and now - self.last_call <= self.plan["keepalive"] / 2
            )
            if not reused:
                self.client.close()
            with self.client.request(
                method, url, name=name, catch_response=True, allow_redirects=False, **kwargs
            ) as response:
                problem = None
                if response.status_code == 0 and reused and attempt == 1:
                    # The server closed the kept-alive connection as the request went out
                    # (no answer at all). A browser sends such a request again on a new
                    # connection, and so do we; it is counted, not timed.
                    response.failure(KeptAliveReset(str(response.error)))
                elif response.status_code not in expect:
                    problem = (
                        f"answered {response.status_code}, expected {'/'.join(map(str, expect))}"
                    )
                elif text is not None and text not in response.text:
                    problem = f"no {text!r} in the answer"
                if problem:
                    response.failure(problem)
                    samples = self.shared["failures"]
                    if len(samples) < 20:
                        body = response.text[:300] if response.text else str(response.error)
                        samples.append(f"{name} {url}: {problem}\n    {body!r}")
                elif response.status_code != 0:
                    response.success()
            self.last_call = time.monotonic()
            if response.status_code != 0 or problem:
                break
            del self.last_call  # the next attempt opens a new connection
        if problem:
            raise Failed(f"{name}: {problem}")
        return response

    @staticmethod
    def htmx(current: str, target: str, token: str) -> dict:
        return {
            "HX-Request": "true",
            "HX-Current-URL": current,
            "HX-Target": target,
            "X-CSRFToken": token,
        }


class TabletFlow(Flow):
    """A clinic tablet: one patient's intake after another, from one-time links."""

    links: list[dict]

    def journey(self) -> None:
        if not self.links[0]["answered"]:
            self.think("handover")
        for link in self.links:
            # A new patient: nothing of the last one's session stays on the device.
            self.client.cookies.clear()
            # A failed request is counted as an error; this patient's intake is abandoned.
            with contextlib.suppress(Failed):
                self.intake(link)
            self.think("between")
        self.shared["exhausted"] += 1
        self.sleep(10**6)

    def intake(self, link: dict) -> None:
        answers = link["answers"]
        url = self.plan["link_url"].replace("TOKEN", link["token"])
        page = self.call("GET", url, "GET kiosk:link")
        data = next((d for _, d in page_forms(page.text) if "date_of_birth" in d), None)
        if data is None:
            raise Failed("no date of birth form on the link page")
        self.think("dob")
        data["date_of_birth"] = [link["dob"]]
        response = self.call("POST", url, "POST kiosk:link", data=data, expect=(302,))
        response = self.call(
            "GET", path_of(response.headers["Location"]), "GET kiosk:resume", expect=(302,)
        )
        location = path_of(response.headers["Location"])
        # Screens answered before the run (see seed) are part of what this patient sent.
        posts: dict[str, dict] = dict(link["answered"])
        for _ in range(SCREENS + 2):
            page = self.call("GET", location, "GET kiosk:step")
            form = next(
                ((a, d) for a, d in page_forms(page.text) if "kiosk-form" in a.get("class", "")),
                None,
            )
            if form is None:
                raise Failed(f"no intake form on {location}")
            attrs, data = form
            step = attrs.get("data-step", "")
            if step == "review":
                break
            if step not in answers:
                raise Failed(f"no synthetic answers for the screen {step!r}")
            token = data["csrfmiddlewaretoken"][0]
            current = self.plan["base_url"] + location
            self.think("read")
            for name, value in answers[step].items():
                self.think("answer")
                data[name] = list(value) if isinstance(value, list) else [value]
                self.call(
                    "POST",
                    attrs["hx-post"],
                    "POST kiosk:autosave",
                    data=data,
                    headers=self.htmx(current, "save-status", token),
                    text="Saved at",
                )
            self.think("next")
            response = self.call(
                "POST",
                attrs["action"],
                "POST kiosk:step",
                data={**data, "nav": ["next"]},
                expect=(302,),
            )
            posts[step] = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
            location = path_of(response.headers["Location"])
        else:
            raise Failed("the intake never reached its review screen")
        self.think("review")
        if self.stop.is_set():
            raise Stopping
        sent = {
            "intake": link["intake"],
            "submission_id": data.get("submission_id", [""])[0],
            "posts": posts,
            "status": "failed",
        }
        self.shared["submissions"].append(sent)
        response = self.call(
            "POST", self.plan["submit_url"], "POST kiosk:submit", data=data, expect=(302,)
        )
        sent["status"] = response.status_code
        self.call("GET", path_of(response.headers["Location"]), "GET kiosk:done")


class TherapistFlow(Flow):
    """A therapist writing up an evaluation: sign in, open it, autosave sections."""

    account: dict

    def journey(self) -> None:
        self.think("sign_in")
        try:
            self.sign_in()
        except Failed:
            # Trying again with the same password would only feed the lockout.
            self.sleep(10**6)
        self.record = {"evaluation": self.account["evaluation_pk"], "sections": {}}
        self.shared["evaluations"].append(self.record)
        self.next_poll = time.monotonic()
        saves = 0
        while True:
            try:
                self.open_evaluation()
                for _ in range(self.rng.randint(*RELOAD_EVERY)):
                    self.typing_pause()
                    self.save(self.rng.choice(self.sections), saves)
                    saves += 1
            except Failed:
                self.typing_pause()  # then reload the page, as a person would

    def sign_in(self) -> None:
        url = self.plan["login_url"]
        page = self.call("GET", url, "GET accounts:login")
        data = next((d for _, d in page_forms(page.text) if "password" in d), None)
        if data is None:
            raise Failed("no sign-in form")
        data["username"] = [self.account["username"]]
        data["password"] = [self.account["password"]]
        response = self.call("POST", url, "POST accounts:login", data=data, expect=(302,))
        location = path_of(response.headers["Location"])
        if location.split("?")[0] == url:
            raise Failed("the password was refused")
        for _ in range(3):
            name = self.plan["page_names"].get(location.split("?")[0], "GET (after sign-in)")
            page = self.call("GET", location, name)
            code_form = next(((a, d) for a, d in page_forms(page.text) if "code" in d), None)
            if code_form is None:
                return
            attrs, data = code_form
            from tests.stack import totp_code

            data["code"] = [totp_code(self.account["otp_key"])]
            action = attrs.get("action") or location
            response = self.call(
                "POST", action, "POST accounts:mfa-verify", data=data, expect=(302,)
            )
            location = path_of(response.headers["Location"])
        raise Failed("signing in did not end on a page")

    def open_evaluation(self) -> None:
        url = self.account["evaluation_url"]
        page = self.call("GET", url, "GET evaluations:detail")
        found = re.search(r'"X-CSRFToken": "([^"]+)"', page.text)
        if found is None:
            raise Failed("no CSRF token on the evaluation page")
        self.csrf = found.group(1)
        forms = {a.get("id", ""): (a, d) for a, d in page_forms(page.text)}
        self.forms = {}
        for key in self.plan["sections"]:
            if f"f-{key}" not in forms:
                raise Failed(f"no form f-{key} on the evaluation page")
            attrs, data = forms[f"f-{key}"]
            field = TYPED.get(key) or NUMBERS[key][0]
            if field not in data:
                raise Failed(f"no field {field} in section {key}")
            self.forms[key] = (attrs["action"], data)
        self.sections = list(self.forms)
        if not hasattr(self, "typed_base"):
            self.typed_base = {key: self.forms[key][1][f][0] for key, f in TYPED.items()}

    def typing_pause(self) -> None:
        """Think time, polling the alert banner every ALERT_POLL_SECONDS meanwhile, as the
        banner on every staff page does."""
        low, high = THINK["typing"]
        end = time.monotonic() + self.rng.uniform(low, high) * self.plan["think_scale"]
        while self.next_poll < end:
            self.sleep(self.next_poll - time.monotonic())
            self.call(
                "GET",
                self.plan["alerts_url"],
                "GET intake:alerts-banner",
                headers={"HX-Request": "true", "X-Background-Poll": "1"},
            )
            self.next_poll += self.plan["poll_seconds"]
        self.sleep(end - time.monotonic())

    def save(self, key: str, n: int) -> None:
        action, data = self.forms[key]
        data = {**data}
        if key in TYPED:
            field, value = TYPED[key], f"{self.typed_base[key]} Edit {n + 1}.".strip()
        else:
            field, low, high = NUMBERS[key]
            value = str(self.rng.randint(low, high))
        data[field] = [value]
        data["autosave"] = ["1"]
        version = int(data["version"][0])
        section = self.record["sections"].setdefault(key, {"saved": 0, "failed": 0})
        url = self.account["evaluation_url"]
        try:
            response = self.call(
                "POST",
                action,
                "POST evaluations:section",
                data=data,
                headers=self.htmx(self.plan["base_url"] + url, f"f-{key}", self.csrf),
                text="Saved at",
            )
        except Failed:
            section["failed"] += 1
            raise
        found = re.search(rf'id="v-{re.escape(key)}" value="(\d+)"', response.text)
        if found is None or int(found.group(1)) != version + 1:
            section["failed"] += 1
            raise Failed(f"section {key}: saved version {found and found.group(1)}, sent {version}")
        section["saved"] += 1
        data["version"] = [found.group(1)]
        del data["autosave"]
        self.forms[key] = (action, data)
        section["last"] = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}


def baseline_client_main(plan_path: str) -> int:
    """The load generator against the static app: the same number of users, each sending
    GET / at the pace that gives the app run's request rate, for the duration."""
    import gevent
    from locust import HttpUser, constant_pacing, task
    from locust.env import Environment

    plan = json.loads(Path(plan_path).read_text())
    timings: list[float] = []
    errors = [0]
    warm_until = time.time() + plan["warmup"]

    def on_request(name, response_time, exception=None, start_time=None, **_):
        if exception is not None:
            errors[0] += 1
        elif (start_time or time.time()) >= warm_until:
            timings.append(response_time)

    class Static(HttpUser):
        host = plan["base_url"]
        wait_time = constant_pacing(plan["pace"])

        @task
        def get(self):
            self.client.get("/", name="GET static")

    env = Environment(user_classes=[Static])
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(plan["users"], spawn_rate=plan["spawn_rate"])
    gevent.sleep(plan["warmup"] + plan["duration"])
    runner.quit()
    Path(plan["results"]).write_text(json.dumps({"timings": timings, "errors": errors[0]}))
    return 0


def client_main(plan_path: str) -> int:
    """The load generator (child process): run the users for the duration, stop them
    between requests, and write every timing and everything sent to the results file."""
    import gevent
    from gevent.event import Event
    from locust import HttpUser, constant, task
    from locust.env import Environment
    from locust.exception import StopUser

    plan = json.loads(Path(plan_path).read_text())
    stop = Event()
    shared = {"submissions": [], "evaluations": [], "failures": [], "exhausted": 0, "done": 0}
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    span = [math.inf, 0.0]

    warm_until = time.time() + plan["warmup"]
    warmup: dict[str, int] = defaultdict(int)
    resent: dict[str, int] = defaultdict(int)

    def on_request(name, response_time, exception=None, start_time=None, **_):
        if isinstance(exception, KeptAliveReset):
            resent[name] += 1
            return
        # Errors count from the first request on; times only once the warm-up is over.
        if exception is not None:
            errors[name] += 1
        begun = start_time or time.time() - response_time / 1000
        if begun < warm_until:
            warmup[name] += 1
            return
        timings[name].append(response_time)
        span[0] = min(span[0], begun)
        span[1] = max(span[1], begun + response_time / 1000)

    def glue(flow, count, slots):
        class User(flow, HttpUser):
            fixed_count = count
            wait_time = constant(0)
            host = plan["base_url"]
            started = 0

            def on_start(self):
                index = type(self).started
                type(self).started += 1
                self.index, self.plan, self.shared, self.stop = index, plan, shared, stop
                self.rng = random.Random(f"{plan['seed']}-{flow.__name__}-{index}")
                setattr(self, slots[0], plan[slots[1]][index])

            @task
            def go(self):
                try:
                    self.journey()
                except Stopping:
                    pass
                finally:
                    shared["done"] += 1
                raise StopUser

        User.__name__ = flow.__name__.replace("Flow", "")
        return User

    tablets = plan["tablets"]
    therapists = plan["therapists"]
    users = [
        glue(TabletFlow, len(tablets), ("links", "tablets")),
        glue(TherapistFlow, len(therapists), ("account", "therapists")),
    ]
    env = Environment(
        user_classes=[u for u, n in zip(users, (tablets, therapists), strict=True) if n]
    )
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    total = len(tablets) + len(therapists)
    runner.start(total, spawn_rate=plan["spawn_rate"])
    gevent.sleep(plan["warmup"] + plan["duration"])
    stop.set()
    # Users leave at their next request or pause; a request already sent completes, so the
    # database check sees every write the server made.
    deadline = time.monotonic() + 60
    while shared["done"] < total and time.monotonic() < deadline:
        gevent.sleep(0.1)
    stopped_cleanly = shared["done"] >= total
    runner.quit()
    Path(plan["results"]).write_text(
        json.dumps(
            {
                "timings": timings,
                "errors": errors,
                "warmup": warmup,
                "resent": resent,
                "span": span,
                "failures": shared["failures"],
                "submissions": shared["submissions"],
                "evaluations": shared["evaluations"],
                "exhausted": shared["exhausted"],
                "stopped_cleanly": stopped_cleanly,
            }
        )
    )
    return 0


# --- Set-up (parent process) ----------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users-tablets", type=int, default=50)
    parser.add_argument("--users-therapists", type=int, default=10)
    parser.add_argument(
        "--duration", type=float, default=120.0, help="seconds of load measured (after warm-up)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=15.0,
        help="seconds of load before the measured part: users start, therapists sign in "
        "(PBKDF2), workers load templates; errors in it still count",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py, else 3)"
    )
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: gunicorn.conf.py, else 4)"
    )
    parser.add_argument(
        "--think-scale", type=float, default=1.0, help="multiply every think time by this"
    )
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the raw-gunicorn static-response run printed beside the app's figures",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (server log, results)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run gunicorn, locust and this database's PostgreSQL backends at this niceness "
        "(e.g. -10, as root): on a shared machine, as if the app had it to itself",
    )
    return parser.parse_args()


def links_per_tablet(args) -> int:
    """Enough one-time links that no tablet runs out: the run's length over the quickest
    possible intake (every think time at its low end), plus one."""
    from tests.intake.answers import HAPPY

    s = args.think_scale
    answers = sum(len(screen) for screen in HAPPY.values())  # one autosave each
    quickest = s * (
        THINK["dob"][0]
        + SCREENS * (THINK["read"][0] + THINK["next"][0])
        + answers * THINK["answer"][0]
        + THINK["review"][0]
        + THINK["between"][0]
    )
    return math.ceil((args.warmup + args.duration) / max(quickest, 1.0)) + 1


def configure_environment(tmp: Path, args) -> dict[str, str]:
    """Production settings (DEBUG off, a real key, PBKDF2 passwords) with plain HTTP on
    loopback, a throwaway STATIC_ROOT and MEDIA_ROOT, and tasks run in-process (nothing
    here queues one). This process and gunicorn share them."""
    (tmp / f"{SETTINGS_MODULE}.py").write_text(
        "from clinic.settings import *  # noqa: F403\n\n"
        "# collectstatic's manifest, which DEBUG-off WhiteNoise needs, goes to a temp folder.\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
    )
    (tmp / "media").mkdir()
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "MEDIA_ROOT": str(tmp / "media"),
        "REPORT_JOBS_MODE": "thread",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
    }
    os.environ.update(env)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    # The server logs at the production default; set-up here needs no INFO lines.
    env["LOG_LEVEL"] = os.environ.get("LOG_LEVEL", "INFO")
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(tmp))
    return env


def answer_screens(intake, answers: dict[str, dict], count: int) -> dict[str, dict]:
    """Save the first `count` screens of `intake` as the kiosk's Next button does (form,
    then intake_save_step); returns what was posted for each."""
    from core.models import Clinic
    from intake import services as intake_services
    from intake.forms import StepContext
    from intake.kiosk_views import _raw
    from intake.steps import ANSWER_STEPS, STEP_BY_KEY

    context = StepContext(
        patient=intake.patient,
        clinic=Clinic.objects.current(),
        packs=intake_services.instrument_packs(),
    )
    posted = {}
    for key in [k for k in ANSWER_STEPS if k in answers][:count]:
        post = {k: v if isinstance(v, list) else [v] for k, v in answers[key].items()}
        data = querydict(post)
        step = STEP_BY_KEY[key]
        form = step.form_class(data, context=context)
        if not form.is_valid():
            raise RuntimeError(f"synthetic answers for {key} do not validate: {form.errors}")
        signature = None
        if key == "consent":
            signature = (data.get("signed_name", "")[:200], form.cleaned_data["signature"])
        intake_services.intake_save_step(
            intake_id=intake.pk,
            step=key,
            raw=_raw(form, data),
            answers=form.answers(),
            ces_answers=form.answers() if step.checks_ces else None,
            signature=signature,
            current_step=key,
        )
        posted[key] = post
    return posted


def seed(args) -> dict:
    """Patients with an intake and a one-time link each, a front desk account that made the
    links, and therapists with a draft evaluation each (every section saved once)."""
    import factory.random
    from django.urls import reverse

    from accounts.roles import Role
    from bench.evaluation import make_patient, saved_evaluation, section_payloads
    from evaluations import forms as eval_forms
    from intake import services as intake_services
    from intake.models import Intake
    from tests.factories import TEST_PASSWORD, PatientFactory, UserFactory, confirmed_totp_device

    factory.random.reseed_random(args.seed)
    rng = random.Random(args.seed)
    front_desk = UserFactory(username="load-frontdesk", roles=[Role.FRONT_DESK])
    per_tablet = links_per_tablet(args)
    tablets = []
    for _ in range(args.users_tablets):
        links = []
        for n in range(per_tablet):
            patient = PatientFactory()
            intake = intake_services.intake_start(patient=patient, by=front_desk)
            _, token = intake_services.intake_link_create(intake=intake, by=front_desk)
            answers = intake_answers(rng)
            # The run starts in the clinic's steady state: each tablet's first patient is
            # already part-way through (0 to all screens answered), so intakes are sent
            # from the first seconds on, not all after the first ~90 s.
            done = rng.randint(0, SCREENS) if n == 0 else 0
            links.append(
                {
                    "token": token,
                    "dob": patient.date_of_birth.isoformat(),
                    "intake": intake.pk,
                    "answers": answers,
                    "answered": answer_screens(intake, answers, done),
                }
            )
        tablets.append(links)

    therapists = []
    for i in range(args.users_therapists):
        user = UserFactory(username=f"load-therapist-{i + 1:02d}", roles=[Role.THERAPIST])
        key = confirmed_totp_device(user).key
        patient = make_patient(user, intake_days_ago=3)
        evaluation = saved_evaluation(patient, user, "initial", section_payloads())
        therapists.append(
            {
                "username": user.username,
                "password": TEST_PASSWORD,
                "otp_key": key,
                "evaluation_pk": evaluation.pk,
                "evaluation_url": reverse("evaluations:detail", args=[evaluation.public_id]),
                "versions": dict(evaluation.section_versions),
            }
        )

    page_names = {
        reverse("core:home"): "GET core:home",
        reverse("accounts:mfa-verify"): "GET accounts:mfa-verify",
    }
    from django.conf import settings

    return {
        "tablets": tablets,
        "therapists": therapists,
        "per_tablet": per_tablet,
        "seeded_submitted": list(
            Intake.objects.filter(status=Intake.Status.SUBMITTED).values_list("pk", flat=True)
        ),
        "link_url": reverse("kiosk:link", args=["TOKEN"]),
        "submit_url": reverse("kiosk:submit"),
        "login_url": reverse("accounts:login"),
        "alerts_url": reverse("intake:alerts-banner"),
        "page_names": page_names,
        "sections": [k for k in eval_forms.SECTIONS if k in TYPED or k in NUMBERS],
        "poll_seconds": settings.ALERT_POLL_SECONDS,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    args,
    env: dict,
    tmp: Path,
    port: int,
    *,
    app: str = "clinic.wsgi:application",
    ready_path: str = "/accounts/login/",
) -> tuple[subprocess.Popen, str, int]:
    """gunicorn as production runs it: gunicorn.conf.py when there is one (with --workers and
    --threads as given here), else docker-compose.yml's flags. Returns the server, a
    description of its shape and its keep-alive seconds."""
    conf = ROOT / "gunicorn.conf.py"
    command = [sys.executable, "-m", "gunicorn", app]
    if conf.exists():
        import runpy

        values = runpy.run_path(str(conf))
        keepalive = values.get("keepalive", 2)
        shape = (
            values.get("worker_class", "sync"),
            values.get("workers", 1),
            values.get("threads", 1),
        )
        command += ["-c", str(conf)]
        how = "gunicorn.conf.py"
    else:
        shape, keepalive = ("gthread", 3, 4), 2
        command += ["--worker-class", "gthread", "--timeout", "60"]
        command += ["--worker-tmp-dir", "/dev/shm"]  # noqa: S108 - as in production
        how = "docker-compose.yml flags"
    workers, threads = args.workers or shape[1], args.threads or shape[2]
    command += [
        "--workers", str(workers),
        "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}",
        # Other gunicorns on this machine would share the default control socket path.
        "--no-control-socket",
        "--error-logfile", str(tmp / "gunicorn.log"),
    ]  # fmt: skip
    log = open(tmp / "gunicorn.out", "wb")  # noqa: SIM115 (open for the server's lifetime)
    server = subprocess.Popen(  # noqa: S603 - our own server command
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=prioritised(args.nice),
    )
    import urllib.request  # not at the top: it imports ssl, which gevent must patch first

    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}{ready_path}"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    described = f"{shape[0]}, {workers} workers x {threads} threads ({how})"
                    return server, described, keepalive
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(server)
    tail = "".join(
        (tmp / name).read_text(errors="replace")[-3000:]
        for name in ("gunicorn.out", "gunicorn.log")
        if (tmp / name).exists()
    )
    raise RuntimeError(f"gunicorn did not answer on {url}:\n{tail}")


def run_baseline(args, env: dict, tmp: Path, results: dict) -> None:
    """Raw gunicorn, the same workers and threads, serving a static response to the same
    number of users at the app run's request rate: what the machine, loopback, gunicorn and
    locust cost before any of the app runs. Printed beside the app's figures, so the ratio
    shows what the app itself costs."""
    timings = results["timings"]
    total = sum(len(v) for v in timings.values())
    first, last = results["span"]
    rate = total / max(last - first, 1e-9)
    users = args.users_tablets + args.users_therapists
    duration = min(args.duration, 60.0)
    port = free_port()
    server, how, _keepalive = start_gunicorn(
        args, env, tmp, port, app="bench._static_app:app", ready_path="/"
    )
    try:
        plan = {
            "base_url": f"http://127.0.0.1:{port}",
            "users": users,
            "pace": users / max(rate, 1e-9),
            "spawn_rate": args.spawn_rate,
            "warmup": 5.0,
            "duration": duration,
            "results": str(tmp / "baseline.json"),
        }
        (tmp / "baseline-plan.json").write_text(json.dumps(plan))
        cpu_before = cpu_seconds(server.pid)
        this = str(Path(__file__).resolve())
        subprocess.run(  # noqa: S603 - this script, in client mode
            [sys.executable, this, BASELINE_FLAG, str(tmp / "baseline-plan.json")],
            cwd=ROOT,
            preexec_fn=prioritised(args.nice),
            check=True,
        )
        cpu_after = cpu_seconds(server.pid)
    finally:
        stop_gunicorn(server)
    baseline = json.loads((tmp / "baseline.json").read_text())
    ordered = sorted(baseline["timings"])
    if not ordered:
        print("\nbaseline: no requests timed")
        return
    served = len(ordered) / duration
    b50, b95, b99 = (percentile(ordered, p) for p in (50, 95, 99))
    cpu = cpu_after["server"] - cpu_before["server"]
    print(
        f"\nbaseline in the same run: raw gunicorn ({how}) serving a static response to "
        f"{users} users at {served:.1f} requests/s (the app run: {rate:.1f}) for "
        f"{duration:.0f} s: p50 {b50:.1f}, p95 {b95:.1f}, p99 {b99:.1f} ms, "
        f"{baseline['errors']} errors, gunicorn CPU {cpu:.1f} s ({cpu / duration:.2f} cores)"
    )
    print(f"{'endpoint':<30} {'app p95':>8} {'static p95':>11} {'ratio':>7}")
    for name in sorted(timings, key=lambda n: (n.split(" ", 1)[-1], n)):
        app95 = percentile(sorted(timings[name]), 95)
        print(f"{name:<30} {app95:>8.1f} {b95:>11.1f} {app95 / max(b95, 0.01):>6.1f}x")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time used so far by gunicorn's workers, by this process's finished children (the
    load client, once it has exited), and by the whole machine (/proc/stat)."""
    import resource

    tick = os.sysconf("SC_CLK_TCK")
    server = 0.0
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        server += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(x) for i, x in enumerate(first[:8]) if i not in (3, 4))  # not idle, iowait
    return {
        "server": server,
        "client": usage.ru_utime + usage.ru_stime,
        "machine": busy / tick,
        "wall": time.monotonic(),
    }


class PostgresMeter:
    """CPU time of this database's PostgreSQL backends. The app's connections come and go
    (CONN_MAX_AGE), so they are sampled every second; a backend's last second before it
    closes is missed."""

    def __init__(self, url: str, *, nice: int = 0):
        import psycopg

        self.nice = nice

        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self.tick = os.sysconf("SC_CLK_TCK")
        # pid -> [CPU seconds when first seen, CPU seconds when last seen]
        self.seen = {pid: [cpu, cpu] for pid, cpu in self._backends().items()}

    def _backends(self) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
        out = {}
        for (pid,) in rows:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / self.tick
        return out

    def sample(self) -> None:
        for pid, cpu in self._backends().items():
            if pid not in self.seen and self.nice:
                with contextlib.suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, pid, self.nice)
            # A backend first seen now opened during the run: all its time counts.
            self.seen.setdefault(pid, [0.0, cpu])[1] = cpu

    def total(self) -> float:
        self.conn.close()
        return sum(last - first for first, last in self.seen.values())


def prioritised(nice: int):
    """A preexec_fn giving a child process (and the processes it forks) this niceness."""
    if not nice:
        return None
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def booted_workers(tmp: Path) -> int:
    text = "".join(
        (tmp / name).read_text(errors="replace")
        for name in ("gunicorn.out", "gunicorn.log")
        if (tmp / name).exists()
    )
    return text.count("Booting worker with pid")


def server_errors(tmp: Path) -> list[str]:
    """The ERROR (and worse) entries of the server's log, e.g. a 500's traceback."""
    path = tmp / "gunicorn.out"
    if not path.exists():
        return []
    lines = path.read_text(errors="replace").splitlines()
    return [line for line in lines if re.search(r'"level": "(ERROR|CRITICAL)"', line)]


# --- Report (parent process) ----------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of a sorted list."""
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def report_requests(results: dict) -> list[tuple[str, bool]]:
    timings, errors = results["timings"], results["errors"]
    total = sum(len(v) for v in timings.values())
    error_count = sum(errors.values())
    first, last = results["span"]
    elapsed = max(last - first, 1e-9)
    warm = sum(results["warmup"].values())
    print(
        f"\nrequests measured: {total:,} in {elapsed:.1f} s = {total / elapsed:.1f} requests/s "
        f"(and {warm:,} during the warm-up, not in the figures below)"
    )
    header = f"{'endpoint':<30} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'errors':>6}"
    print(f"{header}   p95 target")
    print("-" * (len(header) + 14))
    worst = None
    names = set(timings) | set(errors)
    for name in sorted(names, key=lambda n: (n.split(" ", 1)[-1], n)):
        ordered = sorted(timings.get(name, []))
        if not ordered:  # only errors, during the warm-up
            print(f"{name:<30} {0:>6} {'-':>7} {'-':>7} {'-':>7} {'-':>7} {errors[name]:>6}")
            continue
        p95 = percentile(ordered, 95)
        targeted = name not in UNTARGETED
        verdict = ("PASS" if p95 < TARGET_P95_MS else "FAIL") if targeted else "-"
        if targeted and (worst is None or p95 > worst[1]):
            worst = (name, p95)
        print(
            f"{name:<30} {len(ordered):>6} {percentile(ordered, 50):>7.1f} {p95:>7.1f} "
            f"{percentile(ordered, 99):>7.1f} {ordered[-1]:>7.1f} {errors.get(name, 0):>6}   "
            f"{verdict}"
        )
    print(f"(times in ms; untargeted: {', '.join(sorted(UNTARGETED))})")
    resent = sum(results["resent"].values())
    if resent:
        print(
            f"{resent} requests sent again: no answer on a kept-alive connection the server "
            "had just closed (a browser sends these again too; not counted as errors)"
        )
    if results["failures"]:
        print("\nfirst failures:")
        for line in results["failures"]:
            print(f"  {line}")
    checks = []
    slow_ok = worst is not None and worst[1] < TARGET_P95_MS
    checks.append(
        (
            f"p95 under {TARGET_P95_MS:.0f} ms for every save and page load "
            f"(slowest: {worst[0] if worst else '-'} {worst[1] if worst else 0:.1f} ms)",
            slow_ok,
        )
    )
    checks.append((f"zero errors ({error_count} of {total:,} requests)", error_count == 0))
    return checks


def normalized(value):
    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def querydict(data: dict[str, list[str]]):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, list(values))
    return query


def check_intakes(plan: dict, results: dict) -> list[tuple[str, bool]]:
    """Every intake a tablet sent is submitted once, with what was sent; no other is."""
    from audit.models import AuditEvent
    from core.models import Clinic
    from intake import services as intake_services
    from intake.forms import StepContext
    from intake.kiosk_views import _raw
    from intake.models import Intake, IntakeConsent
    from intake.steps import STEP_BY_KEY

    sent = results["submissions"]
    answered = [s for s in sent if s["status"] == 302]
    uncertain = [s for s in sent if s["status"] != 302]
    pool = {link["intake"] for links in plan["tablets"] for link in links}
    submitted = set(
        Intake.objects.filter(status=Intake.Status.SUBMITTED).values_list("pk", flat=True)
    )
    by_tablets = submitted & pool
    expected = {s["intake"] for s in answered}
    missing = expected - by_tablets
    extra = by_tablets - expected - {s["intake"] for s in uncertain}
    outside = submitted - pool - set(plan["seeded_submitted"])
    counts = Counter(s["intake"] for s in sent)
    repeats = sum(n for n in counts.values() if n > 1)

    submit_audits = defaultdict(int)
    intakes = Intake.objects.select_related("patient").in_bulk(expected)
    public_ids = {str(i.public_id): pk for pk, i in intakes.items()}
    for object_id in AuditEvent.objects.filter(
        action=AuditEvent.Action.SUBMIT, object_type="intake", object_id__in=list(public_ids)
    ).values_list("object_id", flat=True):
        submit_audits[public_ids[object_id]] += 1
    audits_ok = sum(1 for pk in expected if submit_audits[pk] == 1)

    clinic = Clinic.objects.current()
    packs = intake_services.instrument_packs()
    consents = {c.intake_id: c for c in IntakeConsent.objects.filter(intake_id__in=expected)}
    exact, problems = 0, []
    for s in answered:
        intake = intakes.get(s["intake"])
        if intake is None:
            continue
        context = StepContext(patient=intake.patient, clinic=clinic, packs=packs)
        wrong = []
        if str(intake.submission_id) != s["submission_id"]:
            wrong.append(f"submission id {intake.submission_id} != {s['submission_id']}")
        for step, post in s["posts"].items():
            data = querydict(post)
            form = STEP_BY_KEY[step].form_class(data, context=context)
            if not form.is_valid():
                wrong.append(f"{step}: the sent answers do not validate now: {form.errors}")
                continue
            if normalized(form.answers()) != normalized(intake.answers.get(step)):
                wrong.append(f"{step}: answers differ")
            if normalized(_raw(form, data)) != normalized(intake.drafts.get(step)):
                wrong.append(f"{step}: stored form input differs")
            if step == "consent":
                consent = consents.get(intake.pk)
                png = form.cleaned_data["signature"]
                if consent is None or bytes(consent.signature_png) != png:
                    wrong.append("consent: signature differs")
        if set(intake.answers) != set(s["posts"]):
            wrong.append(f"screens answered {sorted(intake.answers)} != sent {sorted(s['posts'])}")
        if wrong:
            problems.append(f"intake {s['intake']}: {'; '.join(wrong)}")
        else:
            exact += 1

    print(
        f"\nintakes: {len(sent)} sent by tablets ({len(answered)} answered 302, "
        f"{len(uncertain)} without an answer); {len(by_tablets)} of the {len(pool)} seeded for "
        f"tablets are submitted; {len(missing)} lost, {len(extra)} submitted but never sent, "
        f"{len(outside)} other intakes submitted; {repeats} sent twice"
    )
    print(
        f"         one SUBMIT audit entry: {audits_ok}/{len(expected)}; answers, stored input "
        f"and signature exactly as sent: {exact}/{len(answered)}"
    )
    for line in problems[:10]:
        print(f"  {line}")
    return [
        ("the tablets sent intakes", bool(answered) or not plan["tablets"]),
        (
            "every intake sent is submitted, none lost, none extra",
            not missing and not extra and not outside and not repeats and not uncertain,
        ),
        ("each submitted intake has exactly one SUBMIT audit entry", audits_ok == len(expected)),
        ("every submitted intake holds exactly the answers sent", exact == len(answered)),
    ]


def check_evaluations(plan: dict, results: dict, started_at) -> list[tuple[str, bool]]:
    """Every section holds its last save; its version rose by one per save and each save
    left one audit entry."""
    from audit.models import AuditEvent
    from evaluations import forms as eval_forms
    from evaluations import services
    from evaluations.models import Evaluation

    start_versions = {t["evaluation_pk"]: t["versions"] for t in plan["therapists"]}
    sections = saves = versions_ok = content_ok = audit_ok = 0
    problems = []
    odi = services.odi_licensed()
    for record in results["evaluations"]:
        evaluation = Evaluation.objects.select_related("patient", "intake").get(
            pk=record["evaluation"]
        )
        ctx = services.section_context(
            evaluation, services.intake_basis(evaluation), odi_licensed=odi
        )
        audits = AuditEvent.objects.filter(
            action=AuditEvent.Action.UPDATE,
            object_type="evaluation",
            object_id=str(evaluation.public_id),
            at__gte=started_at,
        )
        per_section = defaultdict(int)
        for details in audits.values_list("details", flat=True):
            per_section[details.get("section")] += 1
        for key, section in record["sections"].items():
            sections += 1
            saves += section["saved"]
            before = int(start_versions[record["evaluation"]].get(key, 0))
            now = int(evaluation.section_versions.get(key, 0))
            if now == before + section["saved"] and not section["failed"]:
                versions_ok += 1
            else:
                problems.append(
                    f"evaluation {record['evaluation']} {key}: version {before} -> {now}, "
                    f"{section['saved']} saves seen, {section['failed']} failed"
                )
            if per_section[key] == section["saved"]:
                audit_ok += 1
            else:
                problems.append(
                    f"evaluation {record['evaluation']} {key}: {per_section[key]} audit entries "
                    f"for {section['saved']} saves"
                )
            if "last" not in section:
                continue
            form = eval_forms.build(key, ctx, data=querydict(section["last"]))
            if (
                form.is_valid()
                and key not in evaluation.drafts
                and normalized(form.content()) == normalized(evaluation.content.get(key))
            ):
                content_ok += 1
            else:
                problems.append(f"evaluation {record['evaluation']} {key}: content differs")
    with_last = sum(
        1 for r in results["evaluations"] for s in r["sections"].values() if "last" in s
    )
    print(
        f"\nevaluations: {len(results['evaluations'])} therapists, {saves} section saves over "
        f"{sections} sections; version = start + saves: {versions_ok}/{sections}; one audit "
        f"entry per save: {audit_ok}/{sections}; content = last save: {content_ok}/{with_last}"
    )
    for line in problems[:10]:
        print(f"  {line}")
    return [
        ("the therapists saved sections", saves > 0 or not plan["therapists"]),
        ("every section's version rose by exactly its saves", versions_ok == sections),
        ("every save left exactly one audit entry", audit_ok == sections),
        ("every section holds the last value saved", content_ok == with_last),
    ]


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    # Stopped with kill: leave through the finally below, so no server or client outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    tmp = Path(tempfile.mkdtemp(prefix="clinic-load-"))
    server = client = None
    try:
        try:
            env = configure_environment(tmp, args)
            from bench._common import recreate_database, setup_django

            began = time.monotonic()
            recreate_database(args.database_url)
            setup_django(args.database_url, settings_module=SETTINGS_MODULE)
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
            plan = seed(args)
            from django.db import connections

            connections.close_all()
            setup_seconds = time.monotonic() - began
            port = free_port()
            server, how, keepalive = start_gunicorn(args, env, tmp, port)
        except Exception as exc:  # report any setup failure plainly
            print(f"setup failed: {exc}", file=sys.stderr)
            return 2
        name = urlsplit(args.database_url).path.lstrip("/")
        print(
            f"load: {args.users_tablets} tablets, {args.users_therapists} therapists, "
            f"{args.duration:.0f} s measured after {args.warmup:.0f} s of warm-up; "
            f"gunicorn {how}, {booted_workers(tmp)} booted; "
            f"PostgreSQL {name}; TOTP sign-in: yes"
        )
        print(
            f"machine: {os.cpu_count()} cores; load average before the run "
            f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min)"
        )
        if args.nice:
            print(
                f"priority: gunicorn, locust and this database's PostgreSQL backends at nice "
                f"{args.nice}; the machine's other processes keep theirs"
            )
        print(
            f"set-up {setup_seconds:.1f} s: {args.users_tablets * plan['per_tablet']} patients "
            f"with an intake link ({plan['per_tablet']} per tablet), "
            f"{args.users_therapists} therapists with a draft evaluation"
        )
        from django.utils import timezone

        started_at = timezone.now()
        plan.update(
            base_url=f"http://127.0.0.1:{port}",
            duration=args.duration,
            warmup=args.warmup,
            think_scale=args.think_scale,
            spawn_rate=args.spawn_rate,
            seed=args.seed,
            keepalive=keepalive,
            results=str(tmp / "results.json"),
        )
        (tmp / "plan.json").write_text(json.dumps(plan))
        cpu_before = cpu_seconds(server.pid)
        cpu_before["postgres"] = 0.0
        booted = booted_workers(tmp)
        meter = PostgresMeter(args.database_url, nice=args.nice)
        client = subprocess.Popen(  # noqa: S603 - this script, in client mode
            [sys.executable, str(Path(__file__).resolve()), CLIENT_FLAG, str(tmp / "plan.json")],
            cwd=ROOT,
            preexec_fn=prioritised(args.nice),
        )
        deadline = time.monotonic() + args.warmup + args.duration + 300
        while client.poll() is None and time.monotonic() < deadline:
            meter.sample()
            time.sleep(1)
        if client.poll() is None:
            client.kill()
        client.wait()
        cpu_after = cpu_seconds(server.pid)
        cpu_after["postgres"] = meter.total()
        restarted = booted_workers(tmp) - booted
        if restarted:
            print(f"warning: {restarted} gunicorn workers were restarted during the run")
        load_after = os.getloadavg()
        stop_gunicorn(server)
        print(f"load average at the end of the run {' / '.join(f'{x:.2f}' for x in load_after)}")
        wall = cpu_after["wall"] - cpu_before["wall"]
        used = {key: cpu_after[key] - cpu_before[key] for key in cpu_before}
        others = used["machine"] - used["server"] - used["client"] - used["postgres"]
        print(
            f"CPU seconds over the {wall:.0f} s run (the machine has "
            f"{wall * (os.cpu_count() or 1):.0f}): "
            f"gunicorn workers {used['server']:.1f}, PostgreSQL (this database) "
            f"{used['postgres']:.1f}, locust {used['client']:.1f}, everything else on the "
            f"machine {max(others, 0):.1f}"
        )
        if others > 0.1 * wall:
            print(
                f"warning: other processes on this machine used {others / wall:.0%} of a core "
                "during the run; these timings are not those of a machine serving only the app"
            )
        if client.returncode != 0 or not (tmp / "results.json").exists():
            print(f"the load client failed (exit {client.returncode})", file=sys.stderr)
            return 2
        results = json.loads((tmp / "results.json").read_text())
        checks = report_requests(results)
        if not args.no_baseline:
            run_baseline(args, env, tmp, results)
        logged = server_errors(tmp)
        if logged:
            print(f"\nserver log: {len(logged)} ERROR entries; the first:")
            print(f"  {logged[0][:2000]}")
        if results["exhausted"]:
            print(f"warning: {results['exhausted']} tablets ran out of intake links")
        if not results["stopped_cleanly"]:
            checks.append(("every user stopped between requests", False))
        checks += check_intakes(plan, results)
        checks += check_evaluations(plan, results, started_at)
        print("\ntargets and checks:")
        for label, ok in checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {label}")
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if client is not None and client.poll() is None:
            client.kill()  # interrupted: the load must not outlive the run
            client.wait()
        if server is not None:
            stop_gunicorn(server)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == [CLIENT_FLAG]:
        sys.exit(client_main(sys.argv[2]))
    if sys.argv[1:2] == [BASELINE_FLAG]:
        sys.exit(baseline_client_main(sys.argv[2]))
    sys.exit(main())
