"""One view of an xAPI request, whether it came plainly or in the alternate request syntax."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict, MultiDict

from hub.errors import BadRequest, Forbidden
from lrs.model.versions import is_v2
from lrs.ops.credentials import Principal

# Form fields the alternate request syntax treats as headers (xAPI 1.0.3 Communication §1.3).
ALTERNATE_HEADER_FIELDS = {"authorization", "x-experience-api-version", "content-type", "content-length",
                           "if-match", "if-none-match"}
ALTERNATE_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}



@dataclass
class XAPIRequest:
    """Method, parameters, headers and body after the alternate syntax has been unfolded."""

    raw: web.Request
    method: str
    params: MultiDict[str]
    headers: CIMultiDict[str]
    body_bytes: bytes | None = None
    alternate: bool = False
    version: str = "1.0.3"
    principal: Principal | None = field(default=None)

    @property
    def content_type(self) -> str:
        value = self.headers.get("Content-Type", "")
        return value.split(";", 1)[0].strip().lower()

    async def body(self) -> bytes:
        if self.body_bytes is None:
            self.body_bytes = await self.raw.read()
        return self.body_bytes

    @property
    def v2(self) -> bool:
        return is_v2(self.version)

    def require(self, permission: str) -> Principal:
        """The principal, if its scopes grant `permission`; 403 otherwise."""
        assert self.principal is not None
        if not self.principal.can(permission):
            raise Forbidden(f"the credential's scopes ({', '.join(sorted(self.principal.scopes))}) "
                            f"do not allow {permission.replace(':', ' ')}")
        return self.principal

    def only_params(self, *allowed: str) -> None:
        """400 naming the first parameter this resource does not take."""
        extra = sorted(set(self.params) - set(allowed))
        if extra:
            raise BadRequest(f"unexpected parameter(s) {', '.join(extra)}", field=extra[0])

    def param(self, name: str) -> str | None:
        values = self.params.getall(name, [])
        if len(values) > 1:
            raise BadRequest(f"parameter {name!r} given more than once", field=name)
        return values[0] if values else None


XAPI_KEY = web.RequestKey("xapi", XAPIRequest)


def xapi_request(request: web.Request) -> XAPIRequest:
    return request[XAPI_KEY]


async def build(request: web.Request) -> XAPIRequest:
    """Unfold the alternate request syntax (1.0.3 only; its rejection in 2.0 is the caller's)."""
    if "method" not in request.query:
        return XAPIRequest(raw=request, method=request.method, params=MultiDict(request.query),
                           headers=CIMultiDict(request.headers))
    if request.method != "POST":
        raise BadRequest("the alternate request syntax must be sent as POST", field="method")
    method = request.query["method"].upper()
    if method not in ALTERNATE_METHODS:
        raise BadRequest(f"unsupported method {method!r} in the alternate request syntax", field="method")
    if set(request.query) != {"method"}:
        # Communication §1.3.s3.b4: any other query parameter is extra information.
        raise BadRequest("the alternate request syntax allows no query parameter other than 'method'",
                         field=sorted(set(request.query) - {"method"})[0])
    content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest("the alternate request syntax requires an application/x-www-form-urlencoded body",
                         field="Content-Type")
    raw_body = await request.read()
    try:
        form = parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw_body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"the form body could not be parsed: {exc}", field="content") from None
    headers: CIMultiDict[str] = CIMultiDict(request.headers)
    headers.popall("Content-Type", None)
    headers.popall("Content-Length", None)
    params: MultiDict[str] = MultiDict()
    content: str | None = None
    for name, value in form:
        if name.lower() in ALTERNATE_HEADER_FIELDS:
            headers[name] = value
        elif name == "content":
            content = value
        else:
            params.add(name, value)
    if method in ("PUT", "POST") and content is None:
        raise BadRequest("the alternate request syntax needs a 'content' form parameter for PUT and POST",
                         field="content")
    return XAPIRequest(raw=request, method=method, params=params, headers=headers,
                       body_bytes=(content or "").encode("utf-8"), alternate=True)
