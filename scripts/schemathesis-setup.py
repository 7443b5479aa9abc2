"""For scripts/schemathesis: waits for the server, signs in, writes a schemathesis config that
points operations on `{id}` at real objects of the demonstration data, and prints the token.

    python3 scripts/schemathesis-setup.py BASE_URL PASSWORD CONFIG_PATH
"""

import json
import sys
import time
import urllib.error
import urllib.request

base, password, config = sys.argv[1:4]

for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("the server did not come up")


def call(path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)
    except urllib.error.HTTPError:
        return None


token = call("/api/v1/auth/token", {"username": "openapi-check", "password": password})["token"]
drafts = call("/api/v1/drafts?per_page=500", token=token)["items"]
open_draft = next(d for d in drafts if d["phase"] == "open")
full = call("/api/v1/drafts/" + open_draft["id"], token=token)

# Path regex -> the id that operations matching it use.
ids = {
    r"^/api/v1/drafts/\{id\}(/(comments|offline-comments|materials|actions|audit|invitations))?$": open_draft["id"],
}
# A material, one with a file if there is one.
materials = []
for d in drafts:
    materials += (call("/api/v1/drafts/" + d["id"], token=token) or {}).get("materials") or []
if materials:
    material = max(materials, key=lambda m: m.get("file") is not None)
    ids[r"^/api/v1/materials/\{id\}"] = material["id"]
# A draft whose comments are grouped: one still in review if there is one.
grouped = []
for d in drafts:
    groups = call("/api/v1/drafts/%s/groups" % d["id"], token=token)
    if groups and groups["items"]:
        grouped.append((d["state"] != "published", d["id"], groups["items"]))
if grouped:
    _, draft_id, groups = min(grouped, key=lambda g: g[0])
    ids[r"^/api/v1/drafts/\{id\}/(groups|report)"] = draft_id
    ids[r"^/api/v1/groups/\{id\}"] = groups[0]["id"]
    members = [c for g in groups for c in g["comment_ids"]]
    if members:
        ids[r"^/api/v1/comments/\{id\}"] = members[0]
# A comment of our own: its receipt can be followed, and its receipt mail is in the outbox.
receipt = call(
    "/api/v1/drafts/%s/comments" % open_draft["id"],
    {
        "body": "A comment for the API check.",
        "stakeholder_type": "individual",
        "email": "openapi-check@example.com",
        "consent": True,
    },
)
params = {}
if receipt:
    params[r"^/api/v1/receipts/"] = {
        "path.tracking_number": receipt["tracking_number"],
        "query.token": receipt["receipt_token"],
    }
outbox = call("/api/v1/admin/outbox", token=token)
if outbox and outbox["items"]:
    ids[r"^/api/v1/admin/outbox/\{id\}"] = outbox["items"][0]["id"]

for regex, value in ids.items():
    params[regex] = {"path.id": value}
with open(config, "w") as f:
    for regex, values in params.items():
        f.write("[[operations]]\n")
        f.write("include-path-regex = %s\n" % json.dumps(regex))
        pairs = ", ".join("%s = %s" % (json.dumps(k), json.dumps(v)) for k, v in values.items())
        f.write("parameters = { %s }\n\n" % pairs)
print(token)
