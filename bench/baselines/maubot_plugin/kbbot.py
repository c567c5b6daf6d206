"""A minimal maubot plugin: answers every m.text in its rooms from knowledge/ by keyword
overlap (the same kb.py as the matrix-nio baseline), as an m.notice in reply."""

import os
import sys

from maubot import MessageEvent, Plugin
from maubot.handlers import event
from mautrix.types import EventType, MessageType, RelationType

sys.path.insert(0, os.environ["BENCH_BASELINES"])
from kb import KB  # noqa: E402


class KBBot(Plugin):
    async def start(self) -> None:
        self.kb = KB(os.environ["BENCH_KNOWLEDGE"])

    @event.on(EventType.ROOM_MESSAGE)
    async def on_message(self, evt: MessageEvent) -> None:
        if evt.sender == self.client.mxid or evt.content.msgtype != MessageType.TEXT:
            return
        rel = evt.content.relates_to
        if rel and rel.rel_type == RelationType.REPLACE:
            return
        await evt.reply(self.kb.answer(evt.content.body), markdown=False)
