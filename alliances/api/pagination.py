from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """limit/offset with the platform's bounds; answers {"count": N, "items": [...]}."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="items per answer (1 to 200)")
        # Bounded so a huge offset is a 400, not an integer overflow in the database driver.
        offset: int = Field(0, ge=0, le=1_000_000_000)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=200, **kwargs)
