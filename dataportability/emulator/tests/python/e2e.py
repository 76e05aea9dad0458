"""Google's own Python client (google-api-python-client) against the emulator binary.

It reads Google's refusals as Google's sample client for this API does
(`data-portability-quickstart.py`: `e.error_details[0]['reason']` and `['metadata']`), and goes
through a one-time export and its download, ALREADY_EXISTS_ONE_TIME while the job runs,
RESOURCE_EXHAUSTED_ONE_TIME after, an expired signed URL replaced by a fresh one, the time-based
cooldown (RESOURCE_EXHAUSTED_TIME_BASED with timestamp_after_24hrs), and authorization.reset.

Usage: python3 e2e.py EMULATOR_BINARY DISCOVERY_DOCUMENT
Ends with the line `N passed, 0 failed` (exit 0), or names the failed step (exit 1).
"""

import base64
import datetime
import hashlib
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

from google.auth import exceptions
from google.oauth2 import credentials
from googleapiclient import discovery
import googleapiclient.errors

SEARCH = "myactivity.search"
HISTORY = "chrome.history"


class Emulator:
    """The emulator binary, started on a free port; stopped on exit."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "--complete-after", "1h", "--files-per-archive", "2"],
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        if not first.startswith("listening on "):
            raise RuntimeError(f"the emulator did not start: {first!r}")
        self.url = first.removeprefix("listening on ")

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/emulator/v1/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def token(self, resources, access_type="ACCESS_TYPE_ONE_TIME", user="python@example.com"):
        minted = self.control(
            "POST", "tokens", {"resources": resources, "accessType": access_type, "user": user}
        )
        return minted["accessToken"]

    def advance(self, seconds):
        self.control("POST", "clock:advance", {"seconds": seconds})

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=30)


def service(emulator, document, token):
    """The Data Portability API, built from the committed Discovery document, at the emulator."""
    return discovery.build_from_document(
        document,
        credentials=credentials.Credentials(token),
        client_options={"api_endpoint": emulator.url + "/"},
    )


def initiate(api, resources, **period):
    body = {"resources": resources, **period}
    return api.portabilityArchive().initiate(body=body).execute()["archiveJobId"]


def refusal(call):
    """The HttpError of a call that must fail, with the sample's reading of it."""
    try:
        call()
    except googleapiclient.errors.HttpError as e:
        details = e.error_details[0] if e.error_details else {}
        return e.status_code, details.get("reason"), details.get("metadata", {})
    raise AssertionError("the call succeeded")


def state(api, job):
    name = f"archiveJobs/{job}/portabilityArchiveState"
    return api.archiveJobs().getPortabilityArchiveState(name=name).execute()


def download(url):
    """The bytes of a signed URL, checked against its x-goog-hash MD5."""
    with urllib.request.urlopen(url, timeout=60) as answer:
        body = answer.read()
        hashes = dict(part.split("=", 1) for part in answer.headers["x-goog-hash"].split(","))
    assert base64.b64encode(hashlib.md5(body).digest()).decode() == hashes["md5"], url
    return body


def check(name, step, results):
    try:
        step()
    except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
        results.append((name, f"{type(error).__name__}: {error}"))
        print(f"FAILED {name}: {type(error).__name__}: {error}")
    else:
        results.append((name, None))
        print(f"ok     {name}")


def main():
    binary, document_path = sys.argv[1], sys.argv[2]
    with open(document_path) as f:
        document = f.read()
    results = []
    with Emulator(binary) as emulator:
        api = service(emulator, document, emulator.token([SEARCH, HISTORY]))
        job = {}

        def one_time_export_and_download():
            job["id"] = initiate(api, [SEARCH])
            emulator.control("POST", f"jobs/{job['id']}:complete", {})
            answer = state(api, job["id"])
            assert answer["state"] == "COMPLETE", answer
            assert len(answer["urls"]) == 2, answer
            for url in answer["urls"]:
                names = zipfile.ZipFile(io.BytesIO(download(url))).namelist()
                assert any(n.startswith(f"{SEARCH}/records-") for n in names), names
            job["urls"] = answer["urls"]

        def already_exists_while_running():
            running = initiate(api, [HISTORY])
            status, reason, metadata = refusal(lambda: initiate(api, [HISTORY]))
            assert (status, reason) == (409, "ALREADY_EXISTS_ONE_TIME"), (status, reason)
            assert metadata["job_id"] == running, metadata

        def resource_exhausted_after():
            status, reason, metadata = refusal(lambda: initiate(api, [SEARCH]))
            assert (status, reason) == (429, "RESOURCE_EXHAUSTED_ONE_TIME"), (status, reason)
            assert job["id"] in metadata["previous_job_ids"].split(","), metadata

        def an_expired_url_is_refreshed():
            emulator.advance(7 * 3600)
            try:
                urllib.request.urlopen(job["urls"][0], timeout=60)
                raise AssertionError("the URL did not expire")
            except urllib.error.HTTPError as e:
                assert e.code == 400 and b"ExpiredToken" in e.read(), e.code
            fresh = service(emulator, document, emulator.token([SEARCH]))
            download(state(fresh, job["id"])["urls"][0])

        def time_based_cooldown():
            user = "python-time-based@example.com"
            token = emulator.token([HISTORY], "ACCESS_TYPE_TIME_BASED", user)
            time_based = service(emulator, document, token)
            # The sample sends the proto field names (start_time), which Google accepts too.
            first = initiate(time_based, [HISTORY], start_time="2024-01-01T00:00:00Z")
            emulator.control("POST", f"jobs/{first}:complete", {})
            status, reason, metadata = refusal(lambda: initiate(time_based, [HISTORY]))
            assert (status, reason) == (429, "RESOURCE_EXHAUSTED_TIME_BASED"), (status, reason)
            assert metadata["previous_job_ids"] == first, metadata
            after = datetime.datetime.fromisoformat(metadata["timestamp_after_24hrs"].replace("Z", "+00:00"))
            assert after.tzinfo is not None, metadata
            emulator.advance(24 * 3600)
            later = service(emulator, document, emulator.token([HISTORY], "ACCESS_TYPE_TIME_BASED", user))
            initiate(later, [HISTORY])

        def reset():
            # An app's credentials: a refresh token and the client secret file's endpoints.
            minted = emulator.control("POST", "tokens", {"resources": [SEARCH], "user": "python@example.com"})
            secret = emulator.control("GET", "clientSecret")["installed"]
            refreshable = credentials.Credentials(
                minted["accessToken"],
                refresh_token=minted["refreshToken"],
                token_uri=secret["token_uri"],
                client_id=secret["client_id"],
                client_secret=secret["client_secret"],
            )
            current = discovery.build_from_document(
                document, credentials=refreshable, client_options={"api_endpoint": emulator.url + "/"}
            )
            current.authorization().reset(body={}).execute()
            # The token is revoked (401), and so is the consent: the refresh is invalid_grant.
            try:
                state(current, job["id"])
                raise AssertionError("the revoked token still works")
            except exceptions.RefreshError as e:
                assert "invalid_grant" in str(e), e
            # The group may be exported again after a new consent.
            again = service(emulator, document, emulator.token([SEARCH]))
            initiate(again, [SEARCH])

        for step in [
            one_time_export_and_download,
            already_exists_while_running,
            resource_exhausted_after,
            an_expired_url_is_refreshed,
            time_based_cooldown,
            reset,
        ]:
            check(step.__name__, step, results)
    failed = [name for name, error in results if error]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
