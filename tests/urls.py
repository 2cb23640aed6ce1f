"""Default URLconf of the test suite; modules that need views bring their own."""

urlpatterns: list[object] = []
