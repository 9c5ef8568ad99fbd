"""Word lists per class: prior knowledge the features count, in Chinese and English.

Each list is evidence, not a rule: the model weighs the counts against everything else
(an article about gambling law says 赌博 too). Spam words are grouped by family so that
`cleaner explain` can name the family that fired.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

CHROME_WORDS = (
    '首页', '导航', '登录', '注册', '退出', '搜索', '联系我们', '关于我们', '版权所有', '版权声明', '免责声明', '责任编辑', '责编', '相关阅读', '相关新闻',
    '相关文章', '相关推荐', '文章推荐', '推荐阅读', '热门推荐', '热点推荐', '精彩推荐', '猜你喜欢', '延伸阅读', '上一篇', '下一篇', '上一页', '下一页', '返回顶部',
    '返回首页', '分享到', '分享至', '扫一扫', '扫码', '二维码', '关注我们', '微信公众号', '客户端', '下载APP', '打开APP', '举报', '投诉', '网站地图',
    '隐私', '用户协议', 'ICP', '备案', '违法和不良信息', '广告', '合作', '加载更多', '查看更多', '更多', '阅读全文', '展开全文', '点击查看', '点击进入',
    '订阅', '收藏', '打印', '字号', '热门', '排行', '本文来自', '不代表', '立场', '转载请注明', '如若转载', '来源于网络', '侵删', '侵权', '工作时间',
    '节假日', 'home', 'menu', 'login', 'register', 'subscribe', 'newsletter', 'search', 'share', 'tweet',
    'facebook', 'twitter', 'linkedin', 'whatsapp', 'email', 'print', 'copyright', 'privacy', 'cookie',
    'cookies', 'recommended', 'trending', 'advertisement', 'sponsored', 'related', 'log in', 'sign in',
    'sign up', 'all rights reserved', 'terms of use', 'read more', 'related articles', 'related stories',
    'you may also like', 'most popular', 'skip to content', 'next article', 'previous article', 'back to top',
    'contact us', 'about us', 'follow us',
)

COMMENT_WORDS = (
    '评论', '发表评论', '发表回复', '网友评论', '评论列表', '条评论', '热门评论', '最新评论', '全部评论', '查看评论', '回复', '楼主', '沙发', '板凳', '点赞',
    '网友', '说两句', '我要评论', '后才能评论', '登录后评论', '参与讨论', '跟帖', 'comments', 'replies', 'said:', 'says:', 'wrote:',
    'likes', 'upvote', 'reported', 'flag', 'guest', 'anonymous', 'comment', 'reply', 'leave a reply',
    'leave a comment', 'post a comment', 'log in to comment',
)

BODY_WORDS = (
    '本报讯', '记者', '通讯员', '据悉', '据了解', '据介绍', '表示', '指出', '认为', '介绍', '报道', '获悉', '此外', '同时', '然而', '但是', '因此',
    '截至', '同比', '环比', '亿元', '万元', '百分点', '来源:', '来源：', 'said', 'according', 'reported', 'told', 'however', 'although',
    'because', 'percent', 'government', 'officials', 'announced', 'statement',
)

SPAM_FAMILIES: dict[str, tuple[str, ...]] = {
    'game_cheat': (
        '外挂', '开挂', '辅助', '插件', '透视', '作弊', '助赢', '神器', '必胜', '胡牌', '挂软件', '辅助器', '修改器', '控牌', '看牌', '稳赢',
        '包赢', '技巧系统', '有挂', '免费挂', 'aimbot', 'wallhack', 'cheat', 'cheats',
    ),
    'gambling': (
        '博彩', '赌博', '赌场', '娱乐城', '百家乐', '时时彩', '六合彩', '彩票计划', '赔率', '投注', '下注', '体彩', '彩金', '返水', 'casino',
        'casinos', 'poker', 'slots', 'slot', 'betting', 'bet365', 'sportsbook', 'jackpot', 'roulette',
        'blackjack',
    ),
    'invoice': (
        '代开发票', '发票代开', '增值税发票', '开票', '代开', '普通发票', '专用发票', 'invoices',
    ),
    'loan': (
        '贷款', '网贷', '借款', '秒批', '放款', '无抵押', '免息', '征信', '黑户', '下款', 'loans', 'payday loan', 'payday loans',
        'bad credit', 'instant approval',
    ),
    'click_farm': (
        '刷单', '兼职', '日结', '日赚', '在家赚钱', '打字员', '点赞员', 'work from home',
    ),
    'private_server': (
        '私服', '传奇', '新开', '发布网', '一刀999', '爆率',
    ),
    'account_trade': (
        '账号出售', '卖号', '收号', '账号交易', '买号', '租号', 'accounts', 'for', 'sale',
    ),
    'counterfeit': (
        '高仿', 'a货', '复刻', '精仿', '原单', 'replica', 'replicas', 'fake', 'rolex', 'knockoff',
    ),
    'adult': (
        '约炮', '上门服务', '兼职妹', '同城约', '色情', 'escort', 'escorts', 'xxx', 'porn',
    ),
    'pharma': (
        '壮阳', '伟哥', '代购药', '处方药', '减肥药', 'viagra', 'cialis', 'pharmacy', 'without prescription',
    ),
    'crypto': (
        '带单', '币圈', '空投', '合约带单', '稳赚', '翻倍', 'airdrop', '100x', 'pump', 'crypto signals',
    ),
    'essay': (
        'essay writing', 'writing service', 'write my essay', 'term paper', 'custom essays', 'essay service',
    ),
    'seo': (
        'discount', 'coupon', '免费下载', '最新版', '破解版', 'buy online', 'best price', 'promo code', 'cheap price',
    ),
    'contact_bait': (
        '加微信', '加微', '加v', '加V', '加薇', '薇信', '威信', 'vx', 'wx', '微信号', 'qq群', 'QQ群', '扣扣', '联系客服', '私聊', '私信',
        'telegram', 'whatsapp', '电报',
    ),
    'sales': (
        '购买', '下载地址', '多少钱', '优惠', '免费送', '限时', '立即下载', '客服', '专业解决方案', '定制开发', '有需要的', 'buy now', 'order now',
        'limited offer', 'click here', 'free trial',
    ),
    'self_promotion': (
        '签约作者', '本站', '本文概览', '能对你有所帮助', '内容主要涵盖', '希望本篇文章', '欢迎关注', 'visit our site', 'check out my blog',
        'great article', 'nice post',
    ),
}


def _trie(words: list[str]) -> str:
    """One regex alternation shaped as a prefix tree: at each position the engine tests a
    few first characters instead of every word (10x faster than a flat alternation)."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return body + ("?" if "" in node else "")

    return render(tree)


def _split_patterns(words: Sequence[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(CJK words anywhere, Latin words as whole words), both case-insensitive prefix trees."""
    words = [w for w in words if w]
    latin = sorted({w.lower() for w in words if w.isascii()})
    other = sorted({w for w in words if not w.isascii()})
    cjk = re.compile(_trie(other) or r"(?!)", re.I)
    whole = re.compile(r"\b" + _trie(latin) + r"(?![a-z0-9])" if latin else r"(?!)", re.I)
    return cjk, whole


#: The families whose words alone say "this sells something off-topic".
SPAM_TOPICS = tuple(f for f in SPAM_FAMILIES if f not in ("contact_bait", "sales", "self_promotion"))


#: Every word of every list in one pattern, and the lists each word belongs to: a block is
#: scanned once, not once per list.
LISTS: dict[str, tuple[str, ...]] = {"chrome": CHROME_WORDS, "comment": COMMENT_WORDS, "body": BODY_WORDS,
                                     **SPAM_FAMILIES}
ANY_CJK_WORD, ANY_LATIN_WORD = _split_patterns([w for words in LISTS.values() for w in words])


def _lists_of_words() -> dict[str, tuple[str, ...]]:
    lists_of: dict[str, tuple[str, ...]] = {}
    for name, words in LISTS.items():
        for word in filter(None, words):
            lists_of[word.lower()] = (*lists_of.get(word.lower(), ()), name)
    return lists_of


#: For every listed word (lower-cased), the lists it belongs to.
LISTS_OF: dict[str, tuple[str, ...]] = _lists_of_words()


def word_counts(text: str) -> Counter[str]:
    """How many distinct words of each list (chrome, comment, body, each spam family) occur in `text`."""
    found = set(ANY_CJK_WORD.findall(text))
    if text.isascii() or any(c.isascii() and c.isalpha() for c in text[:2000]):
        found.update(ANY_LATIN_WORD.findall(text))
    counts: Counter[str] = Counter()
    for word in {w.lower() for w in found}:
        counts.update(LISTS_OF.get(word, ()))
    return counts


def spam_signals(text: str) -> dict[str, int]:
    """Distinct spam words found, by family (only the families that fired): what `explain` shows."""
    counts = word_counts(text)
    return {family: counts[family] for family in SPAM_FAMILIES if counts[family]}


# --- generic selling cues (issue 4) ------------------------------------------------------------
# Words that sell whatever the product is: asking the reader to act or get in touch, promising
# results, speaking as a seller to a reader. No product or family words here (those are in
# SPAM_FAMILIES), so these lists carry over to spam families no template was written for. They
# feed `features.selling_matrix`, scanned by patterns of their own so that the word-list columns
# above stay exactly what they were. Words common in news and readers' comments (你, 您, 大家,
# 官方, 免费, 欢迎, 小编, you, your, free, visit, click…) are left out: on validation pages they
# made the columns fire on article paragraphs and comments. The later additions (详情咨询, 全程保密,
# full confidentiality, if anyone needs…) came from `python -m training.selling_cues`: phrases the spam
# of several of tune_spam's fit families shares and no article paragraph of the training pages holds;
# neither the validation nor the held-out families of the benchmarks were read for them.

CALL_TO_ACTION = (
    '点击', '立即', '马上', '赶紧', '赶快', '快来', '速来', '速加', '欢迎咨询', '详询', '了解详情', '详情请', '领取', '免费领',
    '下单', '抢购', '进群', '入群', '拉你进群', '私聊', '加我', '找我', '联系我', '请联系', '有意者', '有需要', '扫码', '戳这里',
    '点我', '免费试用', '名额有限', '先到先得', '详情咨询', '欢迎来电', '电话咨询', '免费咨询', '看头像', '备注来意', '看过来',
    'call now', 'contact me', 'dm me', 'message me', 'text me', 'email me', 'join now', 'sign up now',
    'order now', 'buy now', 'download now', 'apply now', 'act now', 'get yours', 'inbox me', 'message us',
    'sign up free', 'order today', 'visit our website',
)

PROMISES = (
    '百分百', '百分之百', '保证', '包过', '包教包会', '包退', '包邮', '稳赚', '零风险', '无风险', '不成功不收费', '无效退款',
    '假一赔', '秒到', '当天到账', '立即到账', '安全可靠', '躺赚', '人人可', '零基础', '不用押金', '不成功', '全额退款',
    '全程保密', '先查后付', '后付款', '一手货源', '货到付款', '正规合同',
    'guaranteed', 'guarantee', 'risk-free', 'no risk', 'legit', 'safe and secure', 'no experience', 'easy money',
    'money back', 'full confidentiality', 'success rate', 'refund if', 'discreet', 'free consultation',
    'no waiting list', '24/7 support', 'no hidden fees', 'no upfront',
)

SELLER_VOICE = (
    '本人', '我司', '本店', '本公司', '本平台', '我们平台', '工作室', '厂家', '诚招', '招募', '招收', '长期合作', '价格优惠',
    '价格美丽', '老客户', '新客户', '亲身经历', '今日分享', '本团队', '年专注',
    'we offer', 'our service', 'our services', 'we provide', 'our company', 'i can help', 'new customers',
)

READER_ADDRESS = (
    '朋友们', '老铁', '亲们', '兄弟们', '宝宝们', '小伙伴', '家人们', '有需要的朋友', '还在为',
    'anyone', 'guys', 'if anyone needs', 'anyone looking for',
)

#: The generic selling lists, in the order of their columns.
SELLING_LISTS: dict[str, tuple[str, ...]] = {"call_to_action": CALL_TO_ACTION, "promises": PROMISES,
                                             "seller_voice": SELLER_VOICE, "reader_address": READER_ADDRESS}
SELLING_CJK_WORD, SELLING_LATIN_WORD = _split_patterns([w for words in SELLING_LISTS.values() for w in words])
#: For every generic selling word (lower-cased), the selling lists it belongs to.
SELLING_OF: dict[str, tuple[str, ...]] = {}
for _name, _words in SELLING_LISTS.items():
    for _word in _words:
        SELLING_OF[_word.lower()] = (*SELLING_OF.get(_word.lower(), ()), _name)
del _name, _words, _word
