"""moto's item size limit at DynamoDB's figure.

"Quotas in Amazon DynamoDB", "Items" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html):
an item is at most 400 KB (409,600 bytes; "DynamoDB uses binary units"), counting the UTF-8 length
of attribute names and values. moto refuses items over 405,000 bytes, so it refused items that
DynamoDB stores. Its check runs on every attribute an item gets (puts and updates alike); here
it is the same check at 409,600 bytes.
"""

from __future__ import annotations

from typing import Any

from emulator.aws.dynamodb_fidelity.rules import MAX_ITEM_BYTES

_installed: list[bool] = []


def install() -> None:
    if _installed:
        return
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def measured(part: Any) -> int:
        return part.size() if type(part) is DynamoType else bytesize(str(part))

    def setitem(self: dict[str, Any], key: str, value: Any) -> None:
        others = sum(measured(k) + measured(v) for k, v in self.items() if k != key)
        if others + measured(key) + measured(value) > MAX_ITEM_BYTES:
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)

    LimitedSizeDict.__setitem__ = setitem  # type: ignore[method-assign,assignment]
    _installed.append(True)
