"""A small OpenID Connect provider on loopback, for testing st.login end to end.

It signs everyone in as `provider.email` without asking (set it before each sign-in), and
speaks just enough of OIDC for Streamlit's Authlib client: discovery, the authorization
code flow with PKCE (S256), RS256-signed ID tokens (a key made at start), JWKS and userinfo.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt  # Authlib's own JOSE library (a dependency of authlib)
from joserfc.jwk import RSAKey


class OIDCProvider:
    """Run with `with OIDCProvider(client_id, client_secret) as provider:`."""

    def __init__(self, client_id: str, client_secret: str, email: str = "ada@example.org"):
        self.client_id, self.client_secret = client_id, client_secret
        self.email, self.name = email, "Test User"
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8)})
        self.codes: dict[str, dict] = {}  # one-time authorization codes
        self.access_tokens: dict[str, dict] = {}
        self.requests: list[str] = []  # "METHOD /path", to tell what the client did
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what the endpoints answer ---------------------------------------------------------

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def user_claims(self, email: str) -> dict:
        return {
            "sub": hashlib.sha256(email.encode()).hexdigest()[:24],
            "email": email,
            "email_verified": True,
            "name": self.name,
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """Approve at once: (status, redirect location or error text)."""
        if query.get("client_id") != self.client_id:
            return 400, "unknown client_id"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, "only the code flow with scope openid is supported"
        redirect_uri = query.get("redirect_uri")
        if not redirect_uri:
            return 400, "missing redirect_uri"
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {
                "email": self.email,
                "redirect_uri": redirect_uri,
                "nonce": query.get("nonce"),
                "code_challenge": query.get("code_challenge"),
                "code_challenge_method": query.get("code_challenge_method"),
                "expires": time.time() + 60,
            }
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        separator = "&" if urlsplit(redirect_uri).query else "?"
        return 302, redirect_uri + separator + urlencode(params)

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["expires"] < time.time():
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant["code_challenge_method"] != "S256" or challenge != grant["code_challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {
            **self.user_claims(grant["email"]),
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self.access_tokens[access_token] = self.user_claims(grant["email"])
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
            "scope": "openid email profile",
        }

    def userinfo(self, authorization: str | None) -> tuple[int, dict]:
        token = (authorization or "").removeprefix("Bearer ").strip()
        with self._lock:
            claims = self.access_tokens.get(token)
        return (200, claims) if claims else (401, {"error": "invalid_token"})

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}


def _handler(provider: OIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            provider.requests.append(f"GET {url.path}")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.metadata())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization")))
            elif url.path == "/authorize":
                status, where = provider.authorize(query)
                if status == 302:
                    self.send_response(302)
                    self.send_header("Location", where)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._json(status, {"error": "invalid_request", "error_description": where})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            provider.requests.append(f"POST {url.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if url.path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization")))
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization")))
            else:
                self._json(404, {"error": "not_found"})

    return Handler
