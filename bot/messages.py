"""Every word the bot says, in one place, so wording changes never touch handlers or services.

Texts are Telegram HTML: anything that came from a user passes through `esc()` first.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from models import Rating, Role, TicketStatus

WEEKDAYS = "一二三四五六日"

STATUS_LABEL: dict[TicketStatus, str] = {
    TicketStatus.PENDING: "待接单",
    TicketStatus.IN_PROGRESS: "办理中",
    TicketStatus.DONE: "已办结，待评价",
    TicketStatus.RATED: "已办结，已评价",
    TicketStatus.CANCELLED: "已撤销",
    TicketStatus.REOPENED: "不满意，重新办理中",
}

MODE_EXPLAIN = {
    "马上办": "代办员在村里当场就能给您办好",
    "代着办": "代办员收齐材料后替您到乡镇去办，您不用跑",
    "领着办": "需要您本人到乡镇或县里办，代办员帮您备好材料、领着您去",
    "流动办": "代办员打电话或上门为您办，您在家等着就行",
}

RATING_BUTTONS: tuple[Rating, ...] = (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED)


def esc(text: object) -> str:
    """Escape user-supplied text for Telegram HTML."""
    return html.escape(str(text), quote=False)


def when(moment: datetime, zone: ZoneInfo) -> str:
    """'11月25日（周三）18:00' in local time."""
    local = moment.astimezone(zone)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def place(township: str, village: str, group: str) -> str:
    return f"{esc(township)}{esc(village)}{esc(group)}"


# ---- registration -------------------------------------------------------------------------------

WELCOME = (
    "您好！我是<b>便民代办助手</b>。\n"
    "有事要办，直接打字告诉我就行，比如“俺爹住院的钱能报不”。\n"
    "先登记一下您住在哪里，请点下面的按钮选择<b>乡镇</b>："
)
AGENT_HINT = "（代办员、村干部请点屏幕下方的“我是代办员（分享手机号）”按钮；村民不用点。）"
AGENT_BUTTON = "我是代办员（分享手机号）"
CHOOSE_VILLAGE = "{township}，请选择您的<b>村</b>："
CHOOSE_GROUP = "{township}{village}，请选择您的<b>村民小组</b>："
BACK = "« 重新选乡镇"
NO_ROSTER = "系统里还没有导入代办员名册，暂时不能登记。请联系乡镇便民服务中心。"
REGISTERED = (
    "登记好了：<b>{place}</b>。\n\n"
    "以后有事要办，直接打字发给我，也可以发语音、照片。负责您这里的代办员是：\n\n{card}\n\n"
    "常用命令：/my 看我的事项　/card 代办员联系卡　/me 我的登记信息"
)
REGISTERED_PHONE_HINT = (
    "\n\n想让代办员方便打电话给您，可以点屏幕下方的“📱 留手机号”按钮（不留也行）。"
)
PHONE_BUTTON = "📱 留手机号（方便代办员打电话）"
NOT_REGISTERED = "您还没有登记住址，请先发送 /start，点按钮选择乡镇、村和小组。"
CONTACT_NOT_OWN = "请点“分享手机号”按钮分享<b>您自己</b>的号码，不能用别人的名片。"
CONTACT_UNKNOWN = (
    "名册里没有这个手机号（{phone}）的代办员。\n"
    "如果您是村民，请发送 /start 选择乡镇、村和小组登记。"
)
CONTACT_TAKEN = "这个手机号已经绑定了别的 Telegram 账号。如需更换，请联系乡镇便民服务中心。"
VILLAGER_PHONE_SAVED = "已记下您的手机号 {phone}，代办员需要时会打给您。"
ME = (
    "您登记的信息：\n"
    "住址：<b>{place}</b>\n"
    "手机号：{phone}\n"
    "负责您的代办员：{agent}\n\n"
    "要改的话，点下面的按钮："
)
ME_NO_PHONE = "没留"
ME_NO_AGENT = "暂时没有"
BUTTON_ME_PLACE = "🏠 改住址"
BUTTON_ME_PHONE = "📱 留手机号 / 换手机号"
BUTTON_ME_PHONE_DEL = "不留手机号了"
PHONE_ASK = "请点屏幕下方的“📱 留手机号”按钮，我就能收到您这个 Telegram 绑定的手机号。"
PHONE_REMOVED = "好的，已经删掉您的手机号。代办员需要时会在这里给您发消息。"
PHONE_NONE = "您本来就没有留手机号。"
STAFF_NOT_VILLAGER = "您是名册上的代办员或督办，不用登记住址。发 /help 看看能做什么。"
ONLY_VILLAGER_COMMAND = "这个命令是给村民用的。您手上的事项请发 /tasks 查看。"
AGENT_BOUND = (
    "{name}您好！已确认您是<b>{role}</b>（{area}）。\n"
    "新派给您的事项会发到这里，带“接单”“办结”“转办”按钮。{tasks}"
)
AGENT_OPEN_TASKS = "\n\n您手上还有 {n} 件未办完的事项，稍后逐件发给您。"

ROLE_LABEL = {
    "agent": "代办员",
    "station_head": "村便民服务站站长",
    "township_supervisor": "乡镇督办",
    "county_supervisor": "县级督办",
}


def agent_card(name: str, phone: str, area: str) -> str:
    """便民连心卡: the agent's published name and phone (shown unmasked on purpose)."""
    return (
        "📇 <b>便民连心卡</b>\n"
        f"代办员：{esc(name)}\n"
        f"电话：{esc(phone)}\n"
        f"负责：{esc(area)}\n"
        "能办：证明开具、报销、低保、养老认证、证件办理等各类事项，不方便出门可上门服务。"
    )


NO_AGENT_CARD = "您所在的小组暂时没有代办员，请联系村便民服务站。"

# ---- intake -------------------------------------------------------------------------------------


def ack(
    *,
    number: str,
    mode: str,
    matter: str | None,
    documents: Sequence[str],
    due: str,
    card: str | None,
    circumstances: Sequence[str],
    lead: str | None = None,
) -> str:
    """一次告知: everything the villager needs to know, in one message."""
    lines = [f"✅ 收到！您的事项已登记，受理号 <b>{esc(number)}</b>。", ""]
    if lead:
        lines[-1:] = [lead, ""]
    lines.append(f"事项：{esc(matter or '请代办员联系您')}")
    lines.append(f"办法：<b>{esc(mode)}</b>（{MODE_EXPLAIN.get(mode, '')}）")
    if circumstances:
        lines.append(f"因为您提到“{esc('、'.join(circumstances))}”，代办员会打电话或上门服务。")
    if documents:
        lines.append("")
        lines.append("请准备好这些材料（一次说全，不用来回跑）：")
        lines.extend(f"{i}. {esc(doc)}" for i, doc in enumerate(documents, 1))
    lines.append("")
    lines.append(f"办结时限：<b>{due}</b>前")
    if card:
        lines.append("")
        lines.append(card)
    else:
        lines.append("")
        lines.append("您这里暂时没有代办员，我们已转给村里负责人，会尽快联系您。")
    lines.append("")
    lines.append("发 /my 随时查看进度。要补充情况或照片，按住这条消息点“回复”再发。")
    return "\n".join(lines)


DUPLICATE = "这条消息已经登记过了，受理号 <b>{number}</b>，不用重复发送。发 /my 可查看进度。"
CLARIFY = "我不太确定您要办哪件事，请点一下最接近的：\n\n<i>{text}</i>"
CLARIFY_NONE = "都不是，请代办员打电话给我"
NOT_A_REQUEST = (
    "您好！我是便民代办助手。有事要办请直接说，比如：\n"
    "• 俺爹住院的钱能报不\n"
    "• 身份证过期了咋换\n"
    "• 给开个证明\n"
    "如果您刚才说的就是要办的事，请点下面的按钮，代办员会打电话给您。"
)
CALL_ME = "我是要办事，请代办员联系我"
PICK_RECORDED = "已按您的选择登记，受理号 <b>{number}</b>，详情见下一条消息。"
PICK_TOAST = "已登记"
NON_TEXT = {
    "sticker": "收到您的表情啦😊 有事要办请直接打字告诉我。",
    "photo": (
        "收到图片。要办新的事，请在图片下面加一句文字说明再发；"
        "要给已经登记的事补照片，请按住我发的回执，点“回复”再发图片。"
    ),
    "document": (
        "收到文件。要办新的事，请加一句文字说明再发；"
        "要给已经登记的事补材料，请按住我发的回执，点“回复”再发文件。"
    ),
    "video": "收到视频。请加一句话说明要办什么事，或直接打字告诉我。",
    "other": "这种消息我还看不懂，请直接打字告诉我要办什么事。",
}
CALL_BACK_TEXT = {
    "voice": "（村民发来语音留言，请听语音后回电话）",
    "audio": "（村民发来录音，请听后回电话）",
    "video_note": "（村民发来视频留言，请看后回电话）",
    "location": "（村民发来了位置，请回电话或上门）",
}
CALL_BACK_LEAD = "我这里听不了语音、看不懂位置，已经原样转给代办员，<b>他会打电话给您</b>。"
KIND_LABEL = {
    "photo": "照片",
    "document": "文件",
    "voice": "语音",
    "audio": "录音",
    "video": "视频",
    "video_note": "视频",
    "location": "位置",
    "other": "附件",
}
ATTACHMENT_FROM_VILLAGER = "📎 村民{villager}（事项 <b>{number}</b>）发来的{kind}"
ADDED_TO_TICKET = "✔️ 已转告{agent}（事项 <b>{number}</b>）。"
VILLAGE_HEAD = "村里负责人"

# ---- flood control: too many requests in an hour ------------------------------------------------

HELD = (
    "您这一个小时里已经发了 {n} 件以上的事了。这一条我先记下来，不会丢，"
    "请村里负责人看过以后再安排。急事请直接打代办员的电话：发 /card 查看。"
)
HELD_NOTICE = (
    "📥 村民{villager}（{place}）一小时内发来了很多事项，超过 {limit} 件的先暂存了。\n"
    "请发 /review 看一看，决定受理还是不受理。"
)
HELD_DISMISSED = (
    "您{when}发的“{text}”，村里负责人看过了，这次不作为新的事项办理（可能和别的事重复了）。"
    "有事请找代办员：发 /card 查看电话。"
)
REVIEW_EMPTY = "{area}没有暂存待审核的事项。"
REVIEW_HEADER = "{area}暂存待审核的事项 {n} 件（村民一小时内发得太多，先存起来的）："
REVIEW_ONLY_SUPERVISORS = "审核暂存事项只对站长和督办人员开放。"
BUTTON_RELEASE = "受理 #{id}"
BUTTON_DISMISS = "不受理 #{id}"
RELEASED_TOAST = "已受理"
DISMISSED_TOAST = "已不予受理，已告诉村民"
HELD_GONE = "这一条已经处理过了。"
GROUP_CHAT = (
    "为了保护大家的隐私，我只在私聊里办事。\n"
    "请点我的头像，进入私聊，发送 /start 登记后再说要办的事。"
)
TOO_LONG = "您的话有点长（{n} 个字），请分成几条发送，每条不超过 {limit} 字。"

# ---- agent cards --------------------------------------------------------------------------------

CARD_TEXT = 1500  # characters of the villager's words on a card
BUTTON_ACCEPT = "接单"
BUTTON_CLOSE = "办结"
BUTTON_HANDOVER = "转办"
BUTTON_CLOSE_NOW = "直接办结"
BUTTON_CLOSE_NOTE = "写说明后办结"
BUTTON_CANCEL = "« 返回"
BUTTON_DOCUMENTS = "需补材料"
BUTTON_RECLASSIFY = "改类"
BUTTON_RELAY = "联系村民"


def assignment_card(
    *,
    number: str,
    status: TicketStatus,
    mode: str,
    matter: str | None,
    text: str,
    villager: str,
    villager_phone: str | None,
    place: str,
    due: str,
    documents: Sequence[str],
    circumstances: Sequence[str],
    overdue: bool = False,
    handled_by: str | None = None,
    attachments: int = 0,
    reopened: bool = False,
) -> str:
    lines = [f"📋 <b>事项 {esc(number)}</b>　【{STATUS_LABEL[status]}】"]
    if overdue and status.is_open:
        lines[0] += "　⚠️已超期"
    lines.append(f"办法：<b>{esc(mode)}</b>　事项：{esc(matter or '请联系村民问清')}")
    lines.append(f"村民：{esc(villager)}（{place}）")
    if villager_phone:
        lines.append(f"电话：{esc(villager_phone)}")
    if circumstances:
        lines.append(f"情况：{esc('、'.join(circumstances))}（请电话或上门服务）")
    if len(text) > CARD_TEXT:  # the card stays one message; the full words are in the ledger
        text = text[:CARD_TEXT] + "…"
    lines.append(f"原话：{esc(text)}")
    if documents:
        lines.append("已告知带：" + esc("、".join(documents)))
    if attachments:
        lines.append(f"村民发来的附件：{attachments} 件（在下面）")
    if reopened:
        lines.append("⚠️ 村民对办理结果不满意，请联系村民重新办好，办结时写明怎么处理的。")
    lines.append(f"时限：{due}前")
    if handled_by:
        lines.append(handled_by)
    return "\n".join(lines)


HANDED_TO = "已转给 {name} 办理。"
CLOSE_HOW = "事项 <b>{number}</b> 要办结了。可以直接办结，也可以写一句办结说明（村民能看到）："
CLOSE_NOTE_PROMPT = (
    "请<b>回复这条消息</b>，写事项 {number} 的办结说明（例如：证明已开好，放在村委会）。"
)
HANDOVER_PICK = "把事项 <b>{number}</b> 转给谁？（同一乡镇的代办员）"
HANDOVER_NONE = "同一乡镇没有其他可转的代办员。"
HANDOVER_NOTICE_OLD = "事项 <b>{number}</b> 已按记录转给 {name}（{phone}）。"
CLOSE_NOTE_REQUIRED = "{mode}的事项办结时要写一句说明（村民能看到），请点“办结”后回复说明。"
CLOSE_NOTE_REQUIRED_PROMPT = (
    "事项 <b>{number}</b> 要办结了。这件事要写一句办结说明，村民能看到。\n"
    "请<b>回复这条消息</b>写上（例如：材料已交到镇上，10 个工作日内到账）。"
)
CLOSE_NOTE_PLACEHOLDER = "办结说明"
REPLY_WITH_WORDS = "请用文字回复这条消息。"

# 需补材料
DOCS_PICK = (
    "事项 <b>{number}</b>（{matter}）还缺哪些材料？点一下就勾上，再点一下取消；选好后点“告诉村民”："
)
DOCS_PICK_EMPTY = "事项 <b>{number}</b> 没有材料清单。请点“另写说明”，写上要村民带什么："
BUTTON_DOCS_SEND = "✉️ 告诉村民"
BUTTON_DOCS_NOTE = "✏️ 另写说明"
DOCS_NOTE_PROMPT = "请<b>回复这条消息</b>，写要村民补的材料或说明（事项 {number}）。"
DOCS_NOTE_PLACEHOLDER = "要村民补什么"
DOCS_EMPTY = "请先勾选要补的材料，或点“另写说明”。"
DOCS_SENT_TOAST = "已告诉村民"
DOCS_SENT_FOOTER = "✔️ 已请村民补材料。"


def documents_request(
    *, agent: str, number: str, matter: str | None, documents: Sequence[str], note: str | None
) -> str:
    """需补材料: exactly what the villager still has to bring."""
    lines = [f"📄 代办员{esc(agent)}说，办事项 <b>{esc(number)}</b>（{esc(matter or '您的事')}）"]
    if documents:
        lines[0] += "还需要您准备："
        lines.extend(f"{i}. {esc(doc)}" for i, doc in enumerate(documents, 1))
    else:
        lines[0] += "还需要您："
    if note:
        lines.append(f"代办员说明：{esc(note)}")
    lines.append("")
    lines.append("准备好了，<b>按住这条消息点“回复”</b>告诉他就行，也可以拍照发过来。")
    return "\n".join(lines)


# 改类
RECLASS_MENU = (
    "事项 <b>{number}</b> 现在是 <b>{mode}</b>·{matter}。\n"
    "改成哪种办法？或者改成下面哪件事（会重新告诉村民要带的材料和时限）："
)
RECLASS_PAGE = "全部事项（第 {page}/{pages} 页），事项 <b>{number}</b> 改成："
RECLASS_MODE_BUTTON = "办法：{mode}"
RECLASS_MORE = "其他事项…"
RECLASS_PREV = "« 上一页"
RECLASS_NEXT = "下一页 »"
RECLASS_SAME = "没有改动。"
RECLASSIFIED_TOAST = "已改类，已告诉村民"


def reclassified(
    *, number: str, mode: str, matter: str | None, documents: Sequence[str], due: str
) -> str:
    """改类: the villager hears the new mode, documents (一次告知) and due date at once."""
    lines = [
        f"📝 您的事项 <b>{esc(number)}</b> 有调整：",
        f"事项：{esc(matter or '请代办员联系您')}",
        f"办法：<b>{esc(mode)}</b>（{MODE_EXPLAIN.get(mode, '')}）",
    ]
    if documents:
        lines.append("请准备好这些材料（一次说全）：")
        lines.extend(f"{i}. {esc(doc)}" for i, doc in enumerate(documents, 1))
    lines.append(f"办结时限：<b>{due}</b>前")
    return "\n".join(lines)


# 联系村民 (relay through the bot)
RELAY_PROMPT = (
    "请<b>回复这条消息</b>，写要转告村民{villager}的话（事项 {number}），也可以发照片、文件、语音。"
    "村民看不到您的 Telegram 账号。"
)
RELAY_PLACEHOLDER = "要转告村民的话"
RELAY_FROM_AGENT_HEADER = "💬 代办员{agent}（事项 <b>{number}</b>）"
RELAY_TO_VILLAGER = "{header}：\n{text}\n\n<i>要回话，按住这条消息点“回复”。</i>"
RELAY_TO_AGENT = (
    "💬 村民{villager}（事项 <b>{number}</b>）：\n{text}\n\n<i>回复这条消息就能回话。</i>"
)
RELAYED_TO_VILLAGER = "✔️ 已转告村民{villager}。"
RELAY_NO_CHAT = "这位村民没有用 Telegram，请直接打电话：{phone}。"
ACCEPTED_TOAST = "已接单"
CLOSED_TOAST = "已办结，已请村民评价"
HANDED_TOAST = "已转办"

# ---- villager notifications ---------------------------------------------------------------------

ACCEPTED_VILLAGER = (
    "👍 代办员 {agent} 已接手您的事项 <b>{number}</b>（{matter}），会在 {due} 前办好。"
)
HANDED_VILLAGER = "您的事项 <b>{number}</b> 改由新的代办员办理：\n\n{card}"
CLOSED_VILLAGER = (
    "🎉 您的事项 <b>{number}</b>（{matter}）已办结。{note}\n\n请给代办员的服务打个分："
)
CLOSED_NOTE = "\n代办员说明：{note}"
RATED_THANKS = (
    "谢谢您的评价（{rating}）！还想说几句的话，直接回复这条消息（不说也行）。\n"
    "以后有事，随时发消息给我。"
)
RATED_UNHAPPY = (
    "谢谢您告诉我们（不满意）。这件事已经交给{who}重新跟进，会联系您。\n"
    "哪里不满意？直接回复这条消息告诉我们（不说也行）。"
)
RATE_RECORDED = "事项 <b>{number}</b>：您的评价是“{rating}”。"
RATE_TOAST = "谢谢您的评价"
RATED_AGENT = "村民对事项 <b>{number}</b> 的评价：<b>{rating}</b>。"
COMMENT_PLACEHOLDER = "说说您的看法（可以不写）"
COMMENT_THANKS = "收到，已经转告了。谢谢您！"
COMMENT_TO_AGENT = "💬 村民{villager}对事项 <b>{number}</b> 的评价（{rating}）留言：\n{text}"
REOPENED_CARD = "村民不满意，已转站长跟进。"
REOPENED_HEAD = (
    "⚠️ 村民{villager}对事项 <b>{number}</b>（{matter}）的办理结果<b>不满意</b>，"
    "已转给您跟进（原经办：{agent}）。请联系村民，办好后点“办结”写明怎么处理的。"
)
UNHAPPY_AGAIN = (
    "⚠️ 村民{villager}对重新办理的事项 <b>{number}</b>（{matter}）仍然<b>不满意</b>，请关注。"
)

# ---- the villager withdraws a request (/cancel) ------------------------------------------------

CANCEL_PICK = "要撤销哪件事？点一下："
CANCEL_NONE = "您没有正在办的事项可以撤销。"
BUTTON_CANCEL_ITEM = "撤销 {number} {matter}"
CANCEL_CONFIRM = "确定要撤销事项 <b>{number}</b>（{matter}）吗？撤销以后代办员就不再办了。"
BUTTON_CANCEL_YES = "确定撤销"
BUTTON_CANCEL_NO = "不撤销"
CANCELLED_VILLAGER = "好的，事项 <b>{number}</b> 已撤销。以后有事，随时发消息给我。"
CANCEL_KEPT = "好的，事项 <b>{number}</b> 继续办理。"
CANCELLED_TOAST = "已撤销"
CANCELLED_CARD = "村民已撤销这件事，不用再办了。"
CANCELLED_AGENT = "村民撤销了事项 <b>{number}</b>（{matter}），不用再办了。"
CANCEL_NOT_FOUND = "没有找到您的事项 {number}。发 /my 看看您的事项和受理号。"

# ---- lists --------------------------------------------------------------------------------------

MY_EMPTY = "您还没有办过事项。有事要办，直接打字告诉我。"
MY_HEADER = "您的事项（最近 {n} 件）："
TASKS_EMPTY = "您手上没有未办完的事项。"
TASKS_HEADER = "您未办完的事项 {n} 件（按时限排序）："
OVERDUE_EMPTY = "{area}目前没有超期事项。👍"
OVERDUE_HEADER = "{area}超期事项 {n} 件（超期最久的在前）："
OVERDUE_ONLY_SUPERVISORS = "超期督办只对站长和乡镇、县级督办开放。您的任务请发 /tasks 查看。"
OVERDUE_NOT_FOR_VILLAGERS = "超期督办是给干部用的。您自己的事项请发 /my 查看。"


def my_line(number: str, matter: str | None, status: TicketStatus, due: str) -> str:
    return f"• <b>{esc(number)}</b> {esc(matter or '待联系')}　{STATUS_LABEL[status]}　时限 {due}"


def overdue_line(number: str, matter: str | None, place: str, holder: str, late: str) -> str:
    what = esc(matter or "待联系")
    return f"• <b>{esc(number)}</b> {what}　{place}　经办：{esc(holder)}　超期 {late}"


def late_by(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours >= 24:
        return f"{hours // 24} 天 {hours % 24} 小时"
    return f"{max(hours, 1)} 小时"


def join_lines(header: str, lines: Iterable[str]) -> str:
    return "\n".join([header, *lines])


# ---- errors and help ----------------------------------------------------------------------------

NOT_ALLOWED = "这件事不归您办理，无法操作。"
ONLY_SUPERVISORS = "这个按钮只有站长和督办人员可以用。"
REOPENED_MODE = "重新办理"
NOT_FOUND = "没有找到这个事项，可能已经处理过了。"
STALE_BUTTON = "这个按钮已经过期了，请重新打开最新的消息。"
WRONG_STATE = "事项 {number} 现在是“{status}”，不能再这样操作了。"
ONLY_AGENTS = "这个按钮只有代办员可以用。"
ONLY_VILLAGERS = "这个功能是给登记过的村民用的。"
INTERNAL_ERROR = "抱歉，系统刚才出了点问题，您的消息已记下，请稍后再试。"
AGENT_TEXT = "您是代办员。查看手上的事项请发 /tasks；超期督办请发 /overdue。"

HELP_VILLAGER = (
    "直接打字说要办的事就行，也可以发语音、照片、位置。\n"
    "要给已经登记的事补充情况，按住我的回执点“回复”再发。\n"
    "/my 看我的事项和进度\n/card 看代办员联系卡\n/me 我的登记信息（改住址、手机号）\n"
    "/cancel 撤销一件事（例如 /cancel 137）\n/help 帮助"
)
HELP_AGENT = (
    "任务卡上的按钮：接单、办结、转办、需补材料、改类、联系村民。\n"
    "回复村民转来的话，村民就能收到（看不到您的账号）。\n"
    "/tasks 我手上的事项\n/overdue 超期事项（站长、督办）\n/stats 统计（站长、督办）\n"
    "/review 暂存待审核的事项（站长、督办）\n/web 督办网页\n/help 帮助"
)

# The menu each person sees: villagers only their own commands, staff theirs (set per chat).
VILLAGER_COMMANDS: dict[str, str] = {
    "start": "登记住址 / 开始",
    "my": "我的事项和进度",
    "card": "代办员联系卡",
    "me": "我的登记信息",
    "cancel": "撤销一件事",
    "help": "帮助",
}
AGENT_COMMANDS: dict[str, str] = {
    "tasks": "我手上的事项",
    "help": "帮助",
}
SUPERVISOR_COMMANDS: dict[str, str] = {
    "tasks": "我手上的事项",
    "overdue": "督办：超期事项",
    "stats": "督办：统计",
    "review": "督办：暂存待审核的事项",
    "web": "督办网页登录链接",
    "night": "督办：夜间提醒开/关",
    "help": "帮助",
}
COMMANDS: dict[str, str] = {**VILLAGER_COMMANDS, **SUPERVISOR_COMMANDS}  # every command


def commands_for(role: Role | None) -> dict[str, str]:
    """The command menu for a villager (None), an agent or a supervisor of any level."""
    if role is None:
        return VILLAGER_COMMANDS
    return AGENT_COMMANDS if role is Role.AGENT else SUPERVISOR_COMMANDS


# ---- follow-up: reminders, escalation (督办), digests ------------------------------------------

LEVEL_NAME = {1: "村便民服务站", 2: "乡镇", 3: "县里"}
REMIND_BEFORE = "⏰ 提醒：事项 <b>{number}</b>（{matter}）{due} 到期，还没有办结，请抓紧。"
REMIND_OVERDUE = (
    "⚠️ 事项 <b>{number}</b>（{matter}）已超过时限（{due}），请尽快办结；"
    "再过 {days} 个工作日仍未办结，将报{next}督办。"
)
ESCALATION = (
    "🔔 <b>督办</b>：{place} 的事项 <b>{number}</b>（{matter}）已超期 {late}。\n"
    "经办人：{holder}　电话：{phone}\n"
    "按“小事不出村、中事不出乡、大事不出县”，现报您督办。"
)
ESCALATED_HOLDER = "事项 <b>{number}</b> 超期未办结，已报{level}督办。"
DIGEST_AGENT = "☀️ 早上好！您手上还有 {n} 件事项没办完："
DIGEST_SUPERVISOR = "☀️ 早上好！{area}目前超期事项 {n} 件："
DIGEST_UNREACHABLE = "消息送不到的人（请电话联系）：{names}"
OVERDUE_MARK = "⚠️"
TASK_LIST = "📋 您有 {n} 件新派的事项，点一件打开详情和按钮："
TASK_LIST_MORE = "……还有 {n} 件，发 /tasks 查看全部。"
UNREACHABLE_REASON = {
    "blocked": "已屏蔽机器人",
    "chat not found": "找不到对话",
    "other": "消息发送失败",
}
NIGHT_ON = "好的，夜间（{quiet}）的督办提醒也会立刻发给您。再发 /night 可关闭。"
NIGHT_OFF = "好的，夜间（{quiet}）不再打扰您，督办提醒会在早上发出。再发 /night 可打开。"
NIGHT_ONLY_SUPERVISORS = "夜间提醒设置只对站长和督办人员开放。"

# ---- 督办 in Telegram: the button on /overdue, /stats -------------------------------------------

BUTTON_URGE = "督办 {number}"
URGED_HOLDER = (
    "🔔 <b>督办</b>：{role}{name}请您抓紧办理事项 <b>{number}</b>（{matter}，{place}），"
    "时限 {due}{late}。办好后请点“办结”。"
)
URGED_LATE = "，已超期 {late}"
URGED_TOAST = "已督办，已通知经办人"
URGE_TOO_SOON = "这件事您一小时内已经督办过了，请稍后再督。"
URGE_NO_HOLDER = "这件事现在没人负责，请先安排代办员。"
URGE_SELF = "这件事就在您自己手上。"
URGE_ONLY_SUPERVISORS = ONLY_SUPERVISORS
STATS_ONLY_SUPERVISORS = "统计只对站长和督办人员开放。您手上的事项请发 /tasks 查看。"


def percent(part: int, whole: int) -> str:
    return f"{part}/{whole}（{round(100 * part / whole)}%）" if whole else "—（还没有）"


def stats(
    *,
    area: str,
    total: int,
    open_: int,
    overdue: int,
    by_mode: Sequence[tuple[str, int]],
    by_status: Sequence[tuple[str, int]],
    closed: int,
    on_time: int,
    rated: int,
    satisfied: int,
    worst: Sequence[str],
) -> str:
    """/stats: one area's figures, the same numbers as the dashboard."""
    lines = [f"📊 <b>{esc(area)}</b>统计：共 {total} 件，未办结 {open_} 件，超期 {overdue} 件"]
    lines.append("按办法：" + "　".join(f"{esc(m)} {n}" for m, n in by_mode))
    lines.append("按状态：" + "　".join(f"{esc(s)} {n}" for s, n in by_status if n))
    lines.append(f"按时办结率：{percent(on_time, closed)}")
    lines.append(f"满意率（满意+基本满意）：{percent(satisfied, rated)}")
    if worst:
        lines.append("")
        lines.append("超期最久的：")
        lines.extend(worst)
    return "\n".join(lines)


# ---- web: dashboard sign-in, ledger, Open311 ----------------------------------------------------

WEB_LINK = (
    "🔑 督办网页登录链接（{minutes} 分钟内有效，只能用一次，请勿转发）：\n{url}\n\n"
    "用手机或电脑浏览器打开，点“登录”即可查看本辖区的事项、超期和台账。"
)
WEB_ONLY_STAFF = "督办网页只对名册上的代办员、站长和督办人员开放。"
WEB_NOT_ON_ROSTER = "名册里没有您（或您已停用），不能登录督办网页。请联系乡镇便民服务中心。"
WEB_LINK_INVALID = "这个登录链接已经用过或过期了。请在机器人里重新发送 /web 获取新链接。"
WEB_WIDGET_INVALID = (
    "Telegram 登录信息无效或已过期，请重新登录，或在机器人里发送 /web 获取登录链接。"
)
HOTLINE_CALLER = "热线来电村民"
OPEN311_NOTICE = "办法：{mode}。请准备：{documents}。办结时限：{due}前。经办：{agency}。"
LEDGER_BAD_RANGE = "结束日期不能早于开始日期。"
LEDGER_RANGE_TOO_LONG = "一次最多导出 {days} 天的台账，请缩短日期范围。"
LEDGER_BAD_FORMAT = "台账只能导出为 xlsx 或 csv。"
WEB_TICKET_HIDDEN = "没有找到这个事项，或者它不在您的辖区。"
WEB_DEMO_NO_WIDGET = "演示模式不能用 Telegram 登录，请用机器人发来的登录链接。"
