"""The example project's URLs the suite calls."""

#: The signed-in user's tasks: default throttles plus the ``tasks`` scope.
TASKS = "/api/tasks/"
#: The API index: public, a simple GET for CORS, throttled per client address ("anon").
PUBLIC_GET = "/"
ANON_THROTTLED = PUBLIC_GET
