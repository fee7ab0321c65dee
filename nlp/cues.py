"""Words that are not matters but change the reading: circumstances, negation, requests, spam.

All are written in simplified characters after normalisation (full-width folded, lower case), the
way villagers write them. The catalogue holds what a request is about; these lists hold how it
is said.
"""

from __future__ import annotations

import re


def _words(text: str) -> tuple[str, ...]:
    """Space-separated words → tuple (keeps the lists compact and easy to edit)."""
    return tuple(text.split())


# Someone cannot come in: counts whoever it is about.
CANT = _words(
    "去不了 来不了 没法去 去不成 不方便去 跑不动 没法跑 走不开 离不开人 出不了门 出不去门 "
    "不能出门 不方便出门 出门不便"
)
# The body of the person named: counts when that person must take part in the matter (刷脸,
# 照相, 签字: `person_bound` in the catalogue) or is the writer (俺瘫了), not when a sick
# husband is the reason a wife asks for 低保.
FRAIL = _words(
    "卧床 卧病 躺在床上 躺床上 躺在炕上 躺炕上 瘫在 瘫痪 瘫了 偏瘫 下不了床 下不了炕 下不了地 "
    "下不来床 起不来 起不了床 行动不便 行动不方便 腿脚不好 腿脚不便 腿脚不方便 腿脚不行 腿脚不灵 "
    "腿脚不利索 腿也不好 腿不好 腿不行 腿摔断 腿断了 走不动 走不了路 走不了 走路困难 坐轮椅 拄拐 "
    "眼睛看不见 眼睛瞎 眼瞎 瞎了 失明 中风 脑梗 生活不能自理 不能自理 病重 病得下不了 动不了"
)
# Frailty told as the reason for hardship (腿断了干不了活), not as a reason not to come.
HARDSHIP = _words(
    "干不了活 干不了重活 干不动 挣不了钱 没收入 没法干活 种不了地 不能干活 干不成活 干不了"
)
# Lives alone: nobody else to go (counts like FRAIL).
ALONE = _words("独居 一个人住 一个人在家 孤老 空巢 家里就俺一个 家里就我一个")
# Away from home (migrant workers and their families).
AWAY = _words(
    "在外打工 在外地打工 在外面打工 在外头打工 在外务工 在外地务工 外出打工 外出务工 在外地 "
    "在外面工作 在外地上班 在外地工作 在外面上班 人在外地 人在外面 在外头 在外面 常年在外 "
    "出门在外 不在家 回不来 回不去 在外地干活 在外面干活 在外边 在外省"
)
# "在浙江打工", "人在深圳": a place name between 在 and the work.
AWAY_RE = re.compile(r"在(?![家村地屋这本乡镇县城里])[\u4e00-\u9fff]{1,4}?(?:打工|务工|上班|干活)")
# The villager asks for a home visit or a call.
ASK = _words(
    "告诉一声 告诉我一声 通知我 告诉我 打个电话 给我打个 来个电话 上门 请上门 上门办 "
    "上门服务 来家里 去家里 来家 来俺家 到我家来 到俺家来 到家里来 来我家一趟 家来一下 来我家 "
    "家里来 来一趟 过来一趟 来家一趟 送家里 送到家 入户 打电话给我 给我打电话 打我电话 "
    "给俺打电话 给俺回个电话 回个电话 回电话 电话联系 电话里说 电话告诉 打电话告诉 电话通知 "
    "电话里 打这个号 打这个电话 拍照发我 寄过来 寄给我 网上办 视频 派个人 派人来"
)
# A circumstance after these words is in the past, or the person is back.
PAST = _words("以前 之前 原来 曾经 去年 前几年 过去")
BACK = _words(
    "回来过年 这次回来 我人在家 人在家 我就在家 在家呢 回来了 已经回来 现在回来 回家了 已经回家 "
    "现在在家 回村了 从外地回来 "
    # going away is only planned: the person is still here
    "想外出 要外出 准备外出 打算外出 想去外地 要去外地 准备去外地 打算去外地"
)

# Negation that cancels a matter word right after it (不是报销, 不用上门).
NEGATE = _words("不是 不用 不需要 无需 不必 并非 不办 不想办 不要办 没要 用不着 不要")
# Negating words that deny what follows (不是贷款, 是助学金): a two-part keyword loses that part.
DENY = frozenset(("不是", "并非"))
# Single characters that negate only what follows them directly (没卧床, 不上门).
NEGATE_NEXT = _words("不 没 别")
REQUEST = _words(
    "打听 想 要办 办理 申请 咋 怎么 怎样 如何 能不能 能否 可以 可不可以 吗 帮 麻烦 请 需要 要啥 "
    "带啥 啥材料 什么材料 手续 流程 在哪 去哪 哪里 哪儿 阿达 找谁 多久 多少 有没有 有没 有啥 "
    "问问 问一下 想问 咨询 查查 查一下 给办 补办 阿么 啷个 么子 中不中 行不行 能行不 ? 能给 能帮 "
    "急用 了没 到没到 没呢 能不 报不 不? 啥时候 什么时候 该咋 要不要 是不是 用不用 需不需要 "
    "算不算 还有没 能领 能办 领不"
)
# Advertising and scams: a strong word alone, or two weak ones, make a message spam.
SPAM_STRONG = _words(
    "当天到账 详询 放款 下款 利息低 包下款 贷款找我 额度高 加微信 加v 加我微信 加qq http www "
    ".com 免费送 免费领取 中奖 刷单 日赚 代开 无抵押 秒到账 秒批 包拿证 稳赚 高价回收 "
    "买二送一 买一送一 退订 专业疏通 送米送油 年化 征信修复 套现"
)
SPAM_WEAK = _words(
    "微信 赚钱 在家就能 网络兼职 微信号 vx qq 点击 链接 优惠 特价 恭喜您 兼职 日结 低息 不用考试 "
    "收益 理财 投资 回收 扫码 前50名 前100名 限前 限时 温馨提示 【 】 专业办理 便宜卖 出售 "
    "有意者 有要的 详情 保健品 养生 领鸡蛋 专享 免费领 转发 紧急通知 请大家 各位村民 "
    "各位乡亲 互相转告 相互转告"
)
COMPLAINT = _words(
    "效率太低 效率低 太麻烦了 跑了好几趟 不接电话 太慢 慢死了 拖了 拖着不办 态度差 态度不好 "
    "态度太差 不耐烦 没人接 没人管 不管事 不干事 啥事不干 吃吃喝喝 投诉 举报 凭啥 凭什么 不公平 "
    "破系统 没用 难听 骗子 垃圾 差劲 什么服务 推来推去 踢皮球 不作为 什么玩意 太差 不像话 "
    "啥世道 什么世道 一年比一年贵 越来越贵 太贵了 太少了 还不够买"
)
# Done, dropped or praised: with no request word, the message is not a new request.
DONE = _words(
    "帮我办的 给我办的 帮俺办的 上次帮 上回帮 很满意 满意 办好了 办完了 拿到了 批下来了 开好了 "
    "收到了 已经到账 到账了 已经办好 弄好了 领到了 办下来了 准时到 不办了 不需要了 算了 点赞 "
    "补好了 换好了 修好了 办妥了 "
    "锦旗 靠谱 搞得挺好 挺好 真好 不错 办得挺快 够用了 谢谢关心 好多了 多亏 早就到了 帮了大忙 "
    "谢谢帮忙 感谢帮忙 多谢帮忙 多亏你们帮忙 多亏你帮忙 谢谢你们帮忙 给她办了 给他办了 "
    "给俺办了 给我办了 帮她办了 帮他办了 帮俺办了 帮我办了 俺家没事 家里没事 我家没事 "
    "别担心 不用担心"
)
# Small talk (weather, invitations, greetings): weak words alone are then no request, and no
# matter is guessed, but a strong keyword still counts (天气旱得颗粒无收).
SMALL_TALK = _words(
    "天气 天气预报 下不下雨 下雨不 会不会下雨 气温 喝喜酒 吃喜酒 喜酒 喜糖 吃了没 吃饭了没 "
    "吃了吗 早上好 晚上好 中午好 新年快乐 过年好 节日快乐 中秋快乐 恭喜发财 生日快乐"
)
# A second need follows these words; the first one named stays the main one. SECOND words count
# only where a clause begins (还有 in 还有没有 does not); ALSO_HERE words count anywhere.
SECOND = _words("顺便 另外 还有 还想 再帮 再问 同时 以及 再一个 再就是")
ALSO_HERE = _words("也想 也帮 也要 也得 也该 一块 一起 顺带")
# Documents mentioned as things to bring or numbers to give, not as the need.
NEUTRAL = _words(
    "身份证号 身份证号码 身份证复印件 带身份证 带上身份证 拿身份证 身份证原件 户口本原件 "
    "户口本复印件 带户口本 拿着身份证 "
    # 离开 is leaving a place, not 离婚
    "想离开 要离开 想离家 要离家"
)
SENTENCE_ENDS = "。!?;\n…~."
CLAUSE_ENDS = ",、:() \"'“”‘’《》<>-—"
# "在外地医院住院": the place was elsewhere, the person is not away.
ELSEWHERE = _words(
    "外地医院 外地住院 外地看病 外地就医 外省看病 外地上学 外地买的 外地生的 生在外地 在外地生 "
    "在外地出生 外地出生"
)
# A clause ending like this names what something is for (…证明，过户要), not the need itself.
PURPOSE_ENDS = ("要", "用", "要用", "要的", "用的", "需要", "要求")
# A sentence-final 不/吗/没 turns a statement into a question (能来一趟不, 到账没).
QUESTION_END_RE = re.compile(r"(?:不|吗|么|没)(?=[,。!?;\n]|$)")
# After 我/俺 these mean the body in question is someone else's (俺爹瘫了, 我老伴卧床).
KIN = frozenset("爹娘妈爸爷奶汉伴婆公媳儿女娃孩哥姐弟妹叔舅姑姨孙伯")
SELF = ("我", "俺", "额", "自己", "本人")
