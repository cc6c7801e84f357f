"""OpenAPI details drf-spectacular cannot guess: the token scheme and the error bodies."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

FIELD_ERRORS = {
    "type": "object",
    "description": "Errors by field: {field: [message]}; nested fields are dotted "
    "(supplies.0.item); errors about the whole input are under non_field_errors.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERRORS = {
    "400": ("Invalid input.", "FieldErrors"),
    "401": ("Not signed in, or the token is unknown or revoked.", "Detail"),
    "403": ("Signed in, but this role may not use it (or the CSRF header is missing).", "Detail"),
    "404": ("Not found, or outside your program.", "Detail"),
    "405": ("Method not allowed.", "Detail"),
    "406": ("Only JSON is served.", "Detail"),
    "415": ("Send JSON.", "Detail"),
    "429": ("Too many requests: wait as the Retry-After header says.", "Detail"),
}
# Writes can also find the shelf empty.
CONFLICT = ("Not enough stock left: {field: [message]}.", "FieldErrors")


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>`: tokens are made by managers at /api/tokens/.",
        }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation documents the JSON errors it can answer with."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS
    schemas["Detail"] = DETAIL
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS)
            if method in ("post", "put", "patch"):
                errors["409"] = CONFLICT
            for code, (description, schema) in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
