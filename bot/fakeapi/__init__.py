"""A fake Telegram Bot API server over real HTTP on 127.0.0.1, for tests and the demo mode.

async with FakeBotAPI() as fake:
    fake.add_user(1001, "王秀英")
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    ...
    fake.send_text(1001, "俺爹住院的钱能报不")
    await fake.wait_for_message(1001, contains="受理")
"""

from .fake import FakeBotAPI
from .models import ApiCall, CallbackRec, Edit, FileData, SentMessage, Stats
from .ratelimit import RateLimitConfig

__all__ = [
    "ApiCall",
    "CallbackRec",
    "Edit",
    "FakeBotAPI",
    "FileData",
    "RateLimitConfig",
    "SentMessage",
    "Stats",
]
