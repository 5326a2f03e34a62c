from tests.ops.postgres import roles  # noqa: F401  (fixture: throwaway database roles)
