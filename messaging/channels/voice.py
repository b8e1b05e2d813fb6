"""Voice: no automated call. The message is handed to the assigned collector's call list."""

from messaging.channels import ChannelBackend, SendResult


class CallListBackend(ChannelBackend):
    provider = "call_list"
    transactional = True

    def send(self, message, rendered) -> SendResult:
        # The call list is the outbox itself (voice messages sent today, by assigned collector):
        # handing over is the status change the caller commits.
        collector = message.collector_id
        return SendResult(
            provider=self.provider,
            provider_message_id=f"collector-{collector}" if collector else "team",
        )
