"""What LiveDesk tells a customer as their ticket moves, in their language. Every notice is a bot
message in the conversation, delivered by the outbox like any reply."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from livedesk.models import Author, ConversationMessage, Ticket

TEMPLATES: dict[str, dict[str, str]] = {
    "first_response_breached": {
        "zh": "抱歉让您久等了，您的问题已升级给资深客服优先处理，我们会尽快回复您。",
        "en": "Sorry to keep you waiting. Your request has been escalated to a senior agent, who will get back to you shortly.",
    },
    "resolution_breached": {
        "zh": "您的问题处理时间超出了我们的承诺，已升级给主管跟进，给您带来不便非常抱歉。",
        "en": "Your request is taking longer than we promised. A supervisor is now following it up; we apologise for the delay.",
    },
    "follow_up": {
        "zh": "您好，之前的问题现在都解决了吗？如果还有任何不满意，直接回复这条消息即可，我们马上跟进。",
        "en": "Hello again: is everything sorted now? If anything is still not right, just reply to this message and we will follow up.",
    },
    "recovery_coupon": {
        "zh": "{message} 我们为您准备了一张 {amount} 元的无门槛优惠券（{coupon_id}），30 天内有效。",
        "en": "{message} We have added a CNY {amount} coupon ({coupon_id}) to your account, valid for 30 days.",
    },
    "recovery_apology": {"zh": "{message}", "en": "{message}"},
    "return_rights": {
        "zh": "您的{kind}申请已收到。根据现行政策：{policy} 您的订单于 {delivered} 签收，可在 {deadline} 前申请{window}天内的售后。",
        "en": "We have your {kind} request. Under the current policy: {policy} Your order was delivered on {delivered}, so you may "
        "ask within {window} days, until {deadline}.",
    },
    "return_ineligible": {
        "zh": "很抱歉，这笔订单暂时无法办理{kind}：{reason}。如有疑问，客服会继续为您处理。",
        "en": "Sorry, this order cannot be {kind_past} right now: {reason}. An agent will keep helping you.",
    },
    "return_pickup": {
        "zh": "已为您预约上门取件（{carrier}，运单号 {tracking}），取件时间 {window}。电子面单：{label}",
        "en": "A courier pickup is booked ({carrier}, tracking {tracking}) for {window}. Return label: {label}",
    },
    "return_inspection_failed": {
        "zh": "仓库验货未通过：{notes}。商品将原路寄回给您，客服会联系您说明后续处理。",
        "en": "The returned item did not pass the warehouse inspection: {notes}. It will be sent back to you, "
        "and an agent will explain the next steps.",
    },
    "return_refunded": {
        "zh": "验货通过，退款 {amount} 元已原路退回（退款单号 {refund_id}），一般 1–3 个工作日到账。",
        "en": "The inspection passed and CNY {amount} is on its way back to your original payment method "
        "(refund {refund_id}), usually in 1-3 working days.",
    },
    "return_exchanged": {
        "zh": "验货通过，新商品已发出（{carrier}，运单号 {tracking}），预计 {eta} 前送达。",
        "en": "The inspection passed and your replacement is on its way ({carrier}, tracking {tracking}), expected by {eta}.",
    },
}
KIND = {"zh": {"return": "退货退款", "exchange": "换货"}, "en": {"return": "return", "exchange": "exchange"}}
KIND_PAST = {"return": "returned", "exchange": "exchanged"}


def notice(name: str, lang: str, **fields: Any) -> str:
    texts = TEMPLATES[name]
    return texts.get(lang, texts["zh"]).format(**fields)


def to_customer(ticket: Ticket, message_id: str, text: str, at: datetime, agent: str | None = None) -> ConversationMessage:
    """A message on the ticket's conversation and channel: from the agent when named, else from the bot."""
    return ConversationMessage(
        message_id=message_id,
        author=Author.AGENT if agent else Author.BOT,
        author_id=agent,
        in_reply_to=ticket.message_id,
        channel=ticket.channel,
        channel_message_id=message_id,
        customer_id=ticket.customer_id,
        text=text,
        sent_at=at,
        ticket_id=ticket.ticket_id,
    )
