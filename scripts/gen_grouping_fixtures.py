#!/usr/bin/env python3
"""Writes tests/fixtures/grouping/labelled.json: labelled comments for the R16 quality test.

Campaign letters are varied the way copy-and-edit campaigns vary (greetings, signatures, a
changed word, a dropped clause); paraphrase groups and hard negatives are written by hand.
Deterministic (fixed seed), so the file only changes when this script does.
"""
import json, random, re, os

rng = random.Random(20261126)

ZH_GREET = ["", "", "尊敬的领导：", "您好！", "县司法局：", "各位领导好，", "尊敬的起草组：", "你好，"]
ZH_SIGN = ["", "", "此致敬礼！市民王某", "——城关镇居民李先生", "谢谢！", "联系人：张女士，电话另附。",
           "以上意见，望采纳。", "一名普通市民", "联系电话：13800001111", "2026年3月1日"]
EN_GREET = ["", "", "Dear Sir or Madam,", "Hello,", "To whom it may concern:", "Dear drafting office,", "Hi,"]
EN_SIGN = ["", "", "Sincerely, John Smith", "Regards, a concerned resident", "Thank you.",
           "Best wishes, Mary Chen (Longling)", "Thanks for considering this.", "Tel. 555-0101, 12 Main Street", "1 March 2026"]

def vary(base, subs, greet, sign, zh, n):
    out = []
    for i in range(n):
        text = base
        # a changed word (sometimes two)
        for (a, b) in rng.sample(subs, k=min(len(subs), rng.choice([0, 1, 1, 2]))):
            text = text.replace(a, b, 1)
        # a dropped clause
        if rng.random() < 0.35:
            sep = "，" if zh else ", "
            parts = text.split(sep)
            if len(parts) > 2:
                k = rng.randrange(1, len(parts) - 1)
                del parts[k]
                text = sep.join(parts)
        g = rng.choice(greet)
        s = rng.choice(sign)
        join = "" if zh else " "
        text = (g + join if g else "") + text + (join + s if s else "")
        if rng.random() < 0.2:  # full-width / spacing noise
            text = text.replace(",", "，") if not zh else text.replace("，", ", ")
        out.append(text)
    return out

items = []
def add(label, texts):
    for t in texts:
        items.append({"label": label, "text": t})

# --- Chinese campaigns -------------------------------------------------------------------
add("zh-extend-period", vary(
    "我认为第五条规定的公开征求意见期限过短，十五天不足以让基层群众充分了解草案内容，建议将征求意见期限延长至三十日，并在村（社区）公告栏同步张贴，方便不上网的老年人参与。",
    [("过短", "太短"), ("三十日", "三十天"), ("老年人", "老人"), ("基层群众", "普通群众"), ("建议", "强烈建议")],
    ZH_GREET, ZH_SIGN, True, 18))
add("zh-hearing", vary(
    "关于第八条，涉及群众切身利益的规范性文件应当召开听证会，听证会的时间、地点应当提前十日向社会公布，听证代表应当包括普通居民，不能只邀请相关部门和专家。",
    [("提前十日", "提前十天"), ("普通居民", "一般市民"), ("相关部门", "有关部门"), ("应当召开", "必须召开")],
    ZH_GREET, ZH_SIGN, True, 16))
add("zh-fees", vary(
    "坚决反对第十二条新增的备案审查收费，规范性文件备案是政府的法定职责，不应向企业和群众收取任何费用，请删除该条款。",
    [("坚决反对", "强烈反对"), ("任何费用", "费用"), ("请删除", "建议删除"), ("企业和群众", "群众和企业")],
    ZH_GREET, ZH_SIGN, True, 14))
add("zh-online", vary(
    "建议第六条增加网上公开的要求：草案全文、起草说明和决策依据应当在政府门户网站同时公布，并提供手机端查看和下载，公布后不得随意撤下或修改。",
    [("门户网站", "官方网站"), ("手机端", "移动端"), ("随意", "擅自")],
    ZH_GREET, ZH_SIGN, True, 13))

# --- English and mixed campaigns ---------------------------------------------------------
add("en-small-business", vary(
    "I am writing about Article 9. The new reporting duty would force small businesses to file quarterly compliance reports, which costs time and money we do not have. Please exempt firms with fewer than 20 employees, or at least allow a simple annual statement instead.",
    [("small businesses", "small firms"), ("quarterly", "monthly"), ("20 employees", "twenty employees"), ("time and money", "money and time"), ("Please exempt", "Kindly exempt")],
    EN_GREET, EN_SIGN, False, 16))
add("en-translation", vary(
    "The draft and its explanation should be published in English as well as Chinese, so that foreign residents and foreign-invested companies in the county can understand the rules and take part in the consultation.",
    [("foreign residents", "expat residents"), ("take part in", "participate in"), ("as well as", "in addition to")],
    EN_GREET, EN_SIGN, False, 13))
add("en-privacy", vary(
    "Article 14 allows the bureau to publish the names and addresses of people who submit comments. This is a serious privacy risk. Personal details of commenters must never be published without their explicit consent, and the article should say so clearly.",
    [("serious", "major"), ("explicit", "clear"), ("must never", "should never"), ("bureau", "office")],
    EN_GREET, EN_SIGN, False, 12))
add("mixed-app", vary(
    "建议第七条明确：征求意见 should also be possible through the WeChat mini program（微信小程序），因为很多年轻人 only use their phones，网站入口太难找了。",
    [("年轻人", "青年人"), ("太难找了", "很难找到"), ("should also", "must also")],
    ZH_GREET, ZH_SIGN, True, 10))

# --- Close paraphrases (hand-written) ----------------------------------------------------
add("zh-para-deadline-notice", [
    "第十条规定的答复期限太长了，群众提出意见后要等六十天才有回复，建议缩短为三十天。",
    "第十条的答复期限过长，六十天才回复群众意见太慢，建议改为三十天内答复。",
    "建议把第十条中六十天的答复期限缩短到三十天，现在群众等回复的时间太长。",
])
add("zh-para-plain-language", [
    "草案条文用语过于专业，普通群众很难看懂，建议配发通俗易懂的政策解读。",
    "条文用语太专业了，老百姓看不懂，希望同时发布通俗易懂的解读材料。",
    "建议发布通俗易懂的政策解读，因为草案的专业用语普通群众很难看懂。",
])
add("en-para-feedback", [
    "After the consultation closes, the office should publish which comments were accepted and explain why the others were rejected.",
    "Please publish a report after the consultation that says which comments were accepted and explains why others were rejected.",
    "The office should explain publicly why comments were rejected and publish which ones were accepted once the consultation closes.",
])
add("en-para-deadline-extension", [
    "Fifteen days is too short for businesses to prepare comments on Article 5; please extend the comment period to thirty days.",
    "Article 5's fifteen-day comment period is too short for businesses to prepare; extend the comment period to thirty days please.",
])
add("zh-para-expert", [
    "建议第十一条规定重大决策必须组织专家论证，并公开专家论证意见。",
    "第十一条应当规定重大决策必须经过专家论证，专家论证意见也要公开。",
    "重大决策必须组织专家论证，建议第十一条明确要求并公开专家的论证意见。",
])

# --- Hard negatives: same article, different opinion ---------------------------------------
negatives = [
    "第五条规定的十五天征求意见期限是合理的，不宜延长，否则会拖慢文件出台，影响工作效率。",
    "第五条的征求意见期限应当从草案在网站公布之日起算，而不是从起草单位发文之日起算。",
    "第五条建议规定征求意见期间遇法定节假日的顺延，期限本身可以不变。",
    "第八条听证会的规定过于繁琐，建议只对涉及重大利益的文件召开听证会，一般文件书面征求意见即可。",
    "第八条应当规定听证笔录作为决策的依据，并对听证会进行全程录像。",
    "第十二条的收费标准应当公示，并且说明收费依据和用途。",
    "第十二条备案审查的时限建议规定为二十个工作日，超期视为通过。",
    "第六条建议规定纸质版草案放在政务服务中心供群众免费查阅。",
    "第六条关于网站公布的规定很好，我完全支持，无需修改。",
    "第十条的答复期限六十天是合理的，复杂问题需要时间研究，不必缩短。",
    "第十一条的专家论证应当包括法律顾问，专家名单要避免利益冲突。",
    "Article 9 is fine as drafted; quarterly reporting helps regulators spot problems early and should apply to all firms regardless of size.",
    "Article 9 should require the reports to be filed online only, in a machine-readable format.",
    "Article 14 should require the bureau to publish all comments in full, including the commenter's organisation, so that lobbying is transparent.",
    "Article 14 should set a retention period: comment data should be deleted two years after the report is published.",
    "The English translation should not be mandatory; it adds cost and the binding text is Chinese anyway.",
    "Article 5 should say that the comment period starts on the day the draft appears on the website, not on the date of the notice.",
    "Please add a definition of 'normative document' in Article 2; the current wording is unclear.",
    "The consultation report should include statistics by region so that rural views are visible.",
    "I support the draft overall and have no further comments.",
    "第七条建议开通电话征求意见渠道，方便不会上网的群众。",
    "第七条的微信小程序要做好适老化改造，字体要大。",
    "建议删除第三条中的“原则上”三字，避免执法随意。",
    "第二条的适用范围应当包括乡镇人民政府制定的规范性文件。",
    "希望草案出台后组织一次普法宣传活动，让群众了解新规定。",
    "第十三条关于清理的规定，建议每两年对规范性文件进行一次全面清理并公布结果。",
    "Article 12's fee should be waived for non-profit organisations only; businesses can pay a small fee.",
    "Article 7 should mention accessibility for blind users (screen readers) on the website.",
    "建议第四条明确起草部门负责人对草案的合法性负责。",
    "第九条对小微企业的报告义务是必要的，不应豁免，否则监管会出现漏洞。",
    # near-identical texts that say different things
    "建议将第十条的答复期限由六十天改为九十天。",
    "建议将第十二条的答复期限由六十天改为三十天。",
    "我支持第六条关于网上公开的规定。",
    "我反对第六条关于网上公开的规定。",
    "I support the fee waiver in Article 12.",
    "I oppose the fee waiver in Article 12.",
    "Extend the comment period in Article 5 to 30 days.",
    "Shorten the comment period in Article 5 to 10 days.",
]
for i, t in enumerate(negatives):
    add(f"neg-{i:02d}", [t])

path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "grouping", "labelled.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(items, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(items), "comments,", len(set(i["label"] for i in items)), "labels")
