"""Placeholder keyword intent classifier (Chinese and English).

It exists so the first journey has a real routing decision; the understanding
issue replaces it with a trained, calibrated classifier behind ``classify``.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSIFIER_VERSION = "keywords-0.1"
OUT_OF_SCOPE = "out_of_scope"

INTENT_CUES: dict[str, tuple[str, ...]] = {
    "product_safety": (
        "过敏",
        "過敏",
        "烫伤",
        "燙傷",
        "起火",
        "冒烟",
        "冒煙",
        "漏电",
        "漏電",
        "爆炸",
        "allergic",
        "rash",
        "burn",
        "fire",
        "smoke",
        "electric shock",
    ),
    "ask_human": ("人工", "转人工", "轉人工", "真人", "客服在吗", "human", "real person", "agent please", "talk to someone"),
    "complaint": ("投诉", "投訴", "12315", "差评", "差評", "complain", "complaint"),
    "refund": ("退款", "退钱", "退錢", "refund", "money back"),
    "return_exchange": ("退货", "退貨", "换货", "換貨", "七天无理由", "七天無理由", "return", "exchange"),
    "quality_complaint": ("质量", "質量", "色差", "掉色", "开线", "開線", "坏了", "壞了", "quality", "faded", "defect", "broken"),
    "damaged_in_transit": ("破损", "破損", "压坏", "壓壞", "碎了", "damaged", "crushed", "smashed"),
    "logistics_tracking": (
        "物流",
        "快递",
        "快遞",
        "发货",
        "發貨",
        "到哪",
        "什么时候到",
        "什麼時候到",
        "tracking",
        "shipped",
        "delivery",
        "where is my",
    ),
    "order_status": ("订单", "訂單", "order status", "my order"),
    "change_address": ("改地址", "修改地址", "地址写错", "地址寫錯", "change address", "wrong address"),
    "cancel_order": ("取消订单", "取消訂單", "不要了", "cancel"),
    "size_advice": ("尺码", "尺碼", "多大码", "多大碼", "身高", "体重", "體重", "size", "fit"),
    "stock_availability": ("有货", "有貨", "库存", "庫存", "补货", "補貨", "in stock", "restock", "sold out"),
    "price_promotion": ("价格", "價格", "优惠", "優惠", "满减", "滿減", "便宜", "price", "discount", "promotion"),
    "coupon_flash_sale": ("优惠券", "優惠券", "券", "秒杀", "秒殺", "coupon", "flash sale", "voucher"),
    "streamer_promise": ("主播说", "主播說", "赠品", "贈品", "送", "the host said", "streamer said", "free gift"),
    "live_link": ("链接", "鏈接", "上车", "上車", "link"),
    "lottery": ("抽奖", "抽獎", "福袋", "中奖", "中獎", "lottery", "giveaway"),
    "product_parameters": ("成分", "材质", "材質", "参数", "參數", "功率", "尺寸", "ingredient", "material", "spec", "wattage"),
    "installation_usage": ("安装", "安裝", "怎么用", "怎麼用", "使用方法", "install", "how to use", "set up"),
    "invoice": ("发票", "發票", "invoice", "receipt"),
    "praise": ("好评", "好評", "太棒", "喜欢", "喜歡", "love it", "awesome", "great product"),
    "chitchat": ("哈哈", "主播好美", "来了", "來了", "hello", "hi ", "lol"),
}


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    confidence: float
    matched: tuple[str, ...]


def classify(text: str) -> IntentPrediction:
    lowered = f"{text.lower()} "
    scored = [(intent, found) for intent, cues in INTENT_CUES.items() if (found := tuple(cue for cue in cues if cue in lowered))]
    if not scored:
        return IntentPrediction(OUT_OF_SCOPE, 0.0, ())
    # The first intent in table order wins ties: safety and escalation cues come first.
    best_intent, best_found = max(scored, key=lambda item: len(item[1]))
    confidence = min(0.9, 0.55 + 0.15 * len(best_found)) / (1 + 0.25 * (len(scored) - 1))
    return IntentPrediction(best_intent, round(confidence, 3), best_found)
