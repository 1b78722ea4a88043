#!/usr/bin/python3
"""Idempotent Keystone provisioning for the Imagedrop test cloud (called by up.sh).

Ensures projects, roles, users, role assignments and the image service's catalog entries exist.
Reads everything it needs from environment variables set by up.sh. Plain HTTP (stdlib only),
one process, so a re-run costs about a second. A password is reset only when logging in with it
fails: changing a password revokes that user's tokens, so a right one is never touched.
"""
import json
import os
import sys
import urllib.error
import urllib.request

KEYSTONE = os.environ["KEYSTONE_URL"]  # http://127.0.0.1:5000/v3
GLANCE = os.environ["GLANCE_URL"]
REGION = os.environ["REGION"]
DOMAIN = "default"

PROJECTS = {"admin": "Bootstrap project", "service": "Service project", "demo": "Demo project"}
ROLES = ["admin", "member", "reader", "service"]
USERS = {  # name: (password, project, roles)
    "admin": (os.environ["ADMIN_PASS"], "admin", ["admin"]),
    "demo": (os.environ["DEMO_PASS"], "demo", ["member"]),
    "glance": (os.environ["GLANCE_PASS"], "service", ["admin", "service"]),
}


def call(method, path, body=None, token=None, ok=(200, 201, 204)):
    """Returns (status, headers, json-or-None). Raises on statuses not in ok."""
    req = urllib.request.Request(KEYSTONE + path, method=method)
    req.add_header("Accept", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data, timeout=30) as resp:
            raw = resp.read()
            return resp.status, resp.headers, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as err:
        raw = err.read()
        if err.code in ok:
            return err.code, err.headers, (json.loads(raw) if raw else None)
        raise SystemExit(f"provision: {method} {path} -> {err.code}: {raw[:300]!r}")


def password_works(name, password):
    status, _, _ = call("POST", "/auth/tokens", {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": name, "domain": {"id": DOMAIN}, "password": password}}}}}, ok=(201, 401))
    return status == 201


def admin_token():
    _, headers, _ = call("POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {
            "user": {"name": "admin", "domain": {"id": DOMAIN}, "password": USERS["admin"][0]}}},
        "scope": {"project": {"name": "admin", "domain": {"id": DOMAIN}}}}})
    return headers["X-Subject-Token"]


def main():
    tok = admin_token()
    changed = []

    def find(collection, key, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        _, _, body = call("GET", f"/{collection}?{query}", token=tok)
        return body[key]

    projects = {}
    for name, desc in PROJECTS.items():
        found = find("projects", "projects", name=name, domain_id=DOMAIN)
        if not found:
            _, _, body = call("POST", "/projects", {"project": {
                "name": name, "domain_id": DOMAIN, "description": desc, "enabled": True}}, token=tok)
            found = [body["project"]]
            changed.append(f"project {name}")
        projects[name] = found[0]["id"]

    roles = {}
    for name in ROLES:
        found = find("roles", "roles", name=name)
        if not found:
            _, _, body = call("POST", "/roles", {"role": {"name": name}}, token=tok)
            found = [body["role"]]
            changed.append(f"role {name}")
        roles[name] = found[0]["id"]

    for name, (password, project, role_names) in USERS.items():
        found = find("users", "users", name=name, domain_id=DOMAIN)
        if not found:
            _, _, body = call("POST", "/users", {"user": {
                "name": name, "domain_id": DOMAIN, "password": password, "enabled": True,
                "default_project_id": projects[project]}}, token=tok)
            user_id = body["user"]["id"]
            changed.append(f"user {name}")
        else:
            user_id = found[0]["id"]
            # admin's password was just proven by admin_token().
            if name != "admin" and not password_works(name, password):
                call("PATCH", f"/users/{user_id}", {"user": {"password": password}}, token=tok)
                changed.append(f"password of {name}")
        _, _, body = call("GET", f"/role_assignments?user.id={user_id}&scope.project.id={projects[project]}",
                          token=tok)
        have = {a["role"]["id"] for a in body["role_assignments"]}
        for role in role_names:
            if roles[role] not in have:
                call("PUT", f"/projects/{projects[project]}/users/{user_id}/roles/{roles[role]}", token=tok)
                changed.append(f"role {role} for {name} on {project}")

    services = find("services", "services", type="image")
    if not services:
        _, _, body = call("POST", "/services", {"service": {
            "name": "glance", "type": "image", "description": "OpenStack Image", "enabled": True}}, token=tok)
        services = [body["service"]]
        changed.append("service glance")
    service_id = services[0]["id"]
    endpoints = find("endpoints", "endpoints", service_id=service_id)
    for interface in ("public", "internal", "admin"):
        mine = [e for e in endpoints if e["interface"] == interface]
        if mine and mine[0]["url"] == GLANCE and mine[0].get("region_id") == REGION:
            continue
        for e in mine:
            call("DELETE", f"/endpoints/{e['id']}", token=tok)
        call("POST", "/endpoints", {"endpoint": {
            "service_id": service_id, "interface": interface, "url": GLANCE,
            "region_id": REGION, "enabled": True}}, token=tok)
        changed.append(f"{interface} image endpoint")

    print("provision: " + (", ".join(changed) if changed else "nothing to change"), file=sys.stderr)


if __name__ == "__main__":
    main()
