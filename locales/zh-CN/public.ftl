# 公众页面（首页、草案、草案页、意见表单、材料、回执、报告、订阅），简体中文。
# 所有 id 以 `pub-` 开头：本文件与 staff.ftl 同属一个消息包。

## 页面框架（base.html）

pub-skip-to-content = 跳到正文
pub-nav-main = 主导航
pub-nav-home = 首页
pub-nav-drafts = 全部草案
pub-nav-open = 正在征求意见
pub-prefs-label = 语言与显示
pub-elder-on = 长者模式（大字体）
pub-elder-off = 关闭长者模式
pub-footer = 意见经审核后公开；个人信息不予公开。

## 多个页面共用

pub-index-no = 索引号
pub-agency = 发布机构
pub-category = 公开目录
pub-comment-period = 征求意见期
pub-adoption-report = 意见采纳情况报告
pub-tracking-number = 意见编号
pub-reason = 理由
pub-none = 无
pub-pages = 分页
pub-previous-page = 上一页
pub-next-page = 下一页
pub-page-of = 第 { $page } 页，共 { $pages } 页

## 存储值的名称（labels.rs）

pub-kind-normative_document = 行政规范性文件
pub-kind-regulation = 规章
pub-kind-major_decision = 重大行政决策
pub-kind-other = 其他

pub-material-explanation = 起草说明
pub-material-basis = 决策依据
pub-material-interpretation = 政策解读
pub-material-faq = 常见问题
pub-material-hearing_record = 听证记录
pub-material-attachment = 附件

pub-stakeholder-individual = 个人
pub-stakeholder-enterprise = 企业
pub-stakeholder-industry_association = 行业协会
pub-stakeholder-social_organization = 社会组织
pub-stakeholder-expert = 专家学者
pub-stakeholder-public_institution = 事业单位
pub-stakeholder-government_body = 国家机关
pub-stakeholder-other = 其他

pub-phase-withdrawn = 已撤回
pub-phase-concluded = 已办结
pub-phase-scheduled = 即将开始
pub-phase-open = 正在征求意见
pub-phase-closed = 征求意见已结束
pub-phase-unpublished = 未发布

# 倒计时（R5）：时长，及其所在的短语。
pub-span-days = { $n } 天
pub-span-hours = { $n } 小时
pub-span-minutes = { $n } 分钟
pub-countdown-opens = { $span }后开始
pub-countdown-closes = 还剩 { $span }

# 日期：$year、$month（1–12）、$day 为数字。
pub-date = { $year }年{ $month }月{ $day }日
pub-period-range = { $from } 至 { $to }
pub-zone-shanghai = 北京时间
pub-zone = { $zone } 时间

## 首页（home.html）

pub-home-h1 = 政策文件草案公开征求意见
pub-home-lead = 政府部门在此公布规范性文件和重大决策草案及其起草说明、决策依据。征求意见期一般不少于 15 日，期间任何人都可以提出意见；每条意见都会得到处理，征集结束后公布意见采纳情况及不予采纳的理由。
pub-closing-soon = { $n } 日内截止
pub-closing-soon-none = 近 { $n } 日内没有即将截止的草案。
pub-open-count = 正在征求意见（{ $n } 件）
pub-open-none = 目前没有正在征求意见的草案。
pub-open-all = 查看全部正在征求意见的草案
pub-closed-h = 近期结束征求意见
pub-closed-none = 暂无已结束的征求意见。
pub-closed-all = 查看全部已结束的征求意见
pub-reports-h = 最新意见采纳情况报告
pub-reports-none = 暂无已公布的意见采纳情况报告。
pub-report-of = 意见采纳情况报告：{ $title }
pub-published-at = 公布时间：{ $when }

## 列表中的草案（draft_card.html）

pub-card-period = 征求意见期：{ $period }
pub-card-comments = 已公开意见 { $n }

## 草案列表（drafts.html）

pub-drafts-title = 草案列表
pub-drafts-h1 = 征求意见草案
pub-search-label = 搜索草案
pub-search-q = 按标题、索引号、文号或主题词搜索
pub-filter-phase = 状态
pub-filter-all = 全部
pub-search = 搜索
pub-drafts-found = 共找到 { $n } 件草案
pub-drafts-no-match = 没有符合条件的草案，请减少关键词或取消筛选。
pub-drafts-none = 尚未发布草案。

## 草案页（draft.html、drafts.rs）

pub-title-error = 错误：{ $title }
pub-withdrawn-notice = 本草案已撤回，不再接受意见。
pub-withdrawn-reason = 撤回理由：{ $reason }
pub-concluded-notice = 本草案征求意见工作已办结，意见采纳情况已公布。
pub-round = 第{ $n }轮征求意见
pub-view-switch = 条文显示方式
pub-clean-text = 修改后的条文
pub-changes-since = 与第{ $round }轮相比的修改
pub-changes-legend = 下划线为新增的文字，删除线为删去的文字。
pub-inserted-mark = [新增：]
pub-deleted-mark = [删去：]
pub-change-inserted = 新增条文
pub-change-deleted = 删除条文
pub-change-edited = 有修改
pub-change-moved = 位置调整
pub-change-was = 原{ $label }
pub-change-in-response = 根据{ $n }条意见修改
pub-change-groups-intro = ：
pub-about-draft = 基本信息
pub-doc-number = 文号
pub-draft-kind = 文件类型
pub-enterprise-related = 涉企
pub-enterprise-yes = 是（涉及市场主体）
pub-enterprise-no = 否
pub-views = 浏览次数
pub-subject-terms = 主题词
pub-opens = 开始时间： { $when }
pub-closes = 截止时间： { $when }
# 征求意见期截止于最后一日 24:00（R4）。
pub-closes-end = { $date } 24:00
pub-times-note = 以上为{ $zone }，起止日期均含当日。
pub-extensions = 延期记录
pub-extension = { $at } 征求意见截止日期由 { $from } 延长至 { $to }。理由：{ $reason }
pub-summary = 内容简介
pub-draft-text = 草案全文
pub-draft-text-in-materials = 草案文本见下方材料。
pub-article = 第{ $n }条
pub-comment-on-article = 对本条提意见
# 链接所针对的条款，供读屏软件在链接文字后读出。
pub-article-aside = （{ $label }）
pub-materials-h = 起草说明及相关材料
pub-materials-none = 暂无材料。
pub-material-with-file = （含附件）
pub-comment-form-h = 提出意见
pub-comments-h = 已公开的意见（{ $n } 条）
pub-comments-note = 意见经审核后公开；提交人的联系方式等个人信息不予公开。
pub-comments-none = 暂无公开的意见。
pub-comment-number = 编号 { $number }
pub-comment-on = 针对第{ $n }条
pub-comment-withheld = 提交人要求不公开意见内容；该意见仍计入统计并予以答复。
pub-comment-pages = 意见分页

## 意见表单（draft_comment_form.html、comment_form.rs）

pub-form-intro = 本草案正在征求意见。标有“必填”的项目须填写，其余可不填。
pub-form-intro-countdown = 本草案正在征求意见（{ $countdown }）。标有“必填”的项目须填写，其余可不填。
pub-form-errors-h = 请修改以下内容后重新提交
pub-form-error = { $label }：{ $message }
pub-form-error-join = ；
pub-form-body = 意见内容（必填）
pub-form-body-hint = 最多 { $n } 字。请写明针对的内容和修改建议。
pub-form-article = 针对条款（选填）
pub-form-article-whole = 针对草案整体
pub-form-about-you = 提交人信息
pub-form-stakeholder = 身份类型（必填）
pub-form-organization = 单位名称（以个人或专家学者身份提出的可不填，其他身份必填）
pub-form-organization-hint = 您所代表的企业、协会或机构名称，将随意见一并公开。
pub-form-name = 姓名（选填）
pub-form-name-hint = 仅在您勾选下方“公开姓名”时公开。
pub-form-email = 电子邮箱（选填）
pub-form-email-hint = 用于接收意见回执，不予公开。
pub-form-phone = 联系电话（选填）
pub-form-phone-hint = 可含数字、空格及 + - ( )，5 至 20 个字符，不予公开。
pub-form-region = 所在地区（选填）
pub-form-region-hint = 例如所在县（区）、乡镇，不予公开。
pub-form-publication = 公开方式与声明
pub-form-publish-name = 公开意见时显示我的姓名
pub-form-publish-name-hint = 不勾选则不公开姓名。
pub-form-withhold = 不公开我的意见内容
pub-form-withhold-hint = 意见仍会被阅读、统计并予以答复。
pub-form-consent = 我同意本意见用于本次征求意见工作，经审核后可在不显示联系方式的情况下公开（必填）
pub-form-submit = 提交意见
pub-form-after = 提交后您将获得意见编号和回执码，可凭此查询处理情况。
pub-form-follow = 查询已提交的意见
pub-form-scheduled = 自 { $opens }（{ $zone }）起可以提出意见。
pub-form-closed = 意见征集已于 { $closes }（{ $zone }）截止，不再接受意见。
pub-form-ended = 本草案已不再接受意见。

# 表单上方错误列表中的字段名称。
pub-field-body = 意见内容
pub-field-article = 针对条款
pub-field-stakeholder_type = 身份类型
pub-field-organization = 单位名称
pub-field-name = 姓名
pub-field-email = 电子邮箱
pub-field-phone = 电话
pub-field-region = 所在地区
pub-field-publish_name = 公开姓名
pub-field-withhold = 不公开意见内容
pub-field-consent = 同意声明
pub-field-other = 其他

# 表单无法重新显示时的提示页。
pub-back-to-draft-page = 返回草案页面
pub-form-expired-title = 表单已失效
pub-form-expired = 无法确认该表单来自本网站（可能页面打开时间过长，或浏览器禁用了 Cookie），意见未提交。请返回草案页面，刷新后重新提交。
pub-form-not-sent = { $detail } 您的意见未提交成功。请用浏览器的“返回”键回到表单，所填内容一般仍在；再次提交前，请先将意见内容复制保存。
pub-form-trap = 此项请留空（用于识别自动提交）
pub-form-held-back = 您的意见尚未提交。请检查后再次点击“提交意见”。

## 回执（receipt.html、comment_form.rs）

pub-receipt-title = 意见回执查询
pub-receipt-thanks = 您的意见已提交成功
pub-receipt-h = 意见处理情况
pub-receipt-keep = 请妥善保存以下两项：查询意见处理情况时需要同时提供。回执码仅显示这一次。
pub-receipt-token = 回执码
pub-receipt-mailed = 我们已将含上述信息的回执邮件发送至您填写的电子邮箱。
pub-receipt-submitted = 提交时间
pub-receipt-status = 状态
pub-receipt-outcome = 采纳情况
pub-receipt-group = 归入意见类别
pub-receipt-changed = 您的意见促成的条文修改
pub-receipt-see-changes = 查看修改后的文本及修改之处
pub-receipt-pending = 意见采纳情况报告公布后，将在此显示处理结果。
pub-receipt-lookup-h = 意见回执查询
pub-receipt-no-match = 未找到与该意见编号和回执码相符的意见，请核对后重试。
pub-receipt-tracking-hint = 例如 20261126-ABCDE-12345。
pub-receipt-token-hint = 提交成功时显示，并附在回执邮件中。
pub-receipt-look-up = 查询
pub-status-pending = 已收到，待审核
pub-status-published = 已公开
pub-status-hidden = 未公开（仍计入统计并予以答复）

## 材料页（material.html）

pub-back-to-draft = 返回草案： { $title }
pub-material-kind = 材料类型
pub-material-draft = 所属草案
pub-material-updated = 更新时间
pub-material-text = 正文
pub-material-file = 附件
pub-download = 下载 { $name }
pub-material-siblings = 本草案的其他材料

## 意见采纳情况报告（report.html、report.rs）

pub-report-h1 = 意见采纳情况报告: { $title }
pub-report-extended = 延期: { $extension }
pub-report-version = 版本
pub-report-correction = 更正说明: { $note }
pub-report-published = 公布时间
pub-report-draft-h = 草案及相关材料
pub-report-draft = 草案
pub-report-download = 下载本报告：
pub-report-totals = 意见统计
pub-report-received = 收到意见总数（含各渠道、未公开及工作人员录入的意见）
pub-report-col-comments = 条数
pub-report-groups-h = 意见归类及处理情况
pub-report-col-opinion = 意见
pub-report-col-outcome = 处理结果
pub-report-concentrated = 较为集中意见
pub-report-changed = 已修改：{ $articles }
pub-report-article-of-round = 第{ $round }轮{ $label }
pub-report-rows-h = 逐条意见处理情况
pub-report-col-article = 条款
pub-report-col-commenter = 意见人类别
pub-report-col-channel = 渠道
pub-report-col-group = 归类
pub-report-col-kind = 类别
pub-report-previous = 上一页
pub-report-next = 下一页
pub-report-by-outcome = 按处理结果
pub-report-by-channel = 按渠道
pub-report-by-stakeholder = 按意见人类别
pub-report-by-article = 按条款
pub-report-market-entities = 市场主体（企业、行业协会）意见

# 报告中存储值的名称。
pub-value-adopted = 采纳
pub-value-partially_adopted = 部分采纳
pub-value-not_adopted = 不予采纳
pub-value-noted = 予以说明
pub-value-individual = 个人
pub-value-enterprise = 企业
pub-value-industry_association = 行业协会
pub-value-social_organization = 社会组织
pub-value-expert = 专家
pub-value-public_institution = 事业单位
pub-value-government_body = 政府机关
pub-value-online = 网上提交
pub-value-letter = 信函
pub-value-email = 电子邮件
pub-value-hearing = 听证会
pub-value-symposium = 座谈会
pub-value-phone = 电话
pub-value-none = 未指明条款
pub-value-other = 其他

## 订阅页（subscribe.html、subscribe_short.html、subscribe.rs）

pub-subscribe-h1 = 邮件订阅草案
pub-subscribe-lead = 您关注的草案开始征求意见、延长征求意见期、即将截止以及公布采纳情况报告时，我们会给您发邮件。订阅前须先点击确认邮件中的链接，确认邮箱地址。
pub-subscribe-email = 电子邮箱（必填）
pub-subscribe-email-hint = 仅用于发送您订阅的通知，不会公开；每封邮件都附有退订链接。
pub-subscribe-scope = 订阅范围
pub-subscribe-scope-all = 全部草案
pub-subscribe-scope-agency = 某一发布机构的草案
pub-subscribe-scope-category = 某一公开目录的草案
pub-subscribe-scope-draft = 某一件草案
pub-subscribe-agency = 发布机构
pub-subscribe-category = 公开目录
pub-subscribe-draft = 草案
pub-subscribe-choose = 请选择…
pub-subscribe-locale = 邮件语言
pub-subscribe-locale-zh = 中文
pub-subscribe-locale-en = English
pub-subscribe-submit = 订阅
pub-subscribe-after = 点击确认邮件中的链接之前，我们不会发送任何通知。
pub-subscribe-sent-h = 请查收邮件
pub-subscribe-sent = 如果该地址可以接收邮件，确认邮件已发往该地址。请点击邮件中的链接完成订阅。
pub-subscribe-sent-unconfirmed = 点击链接之前不会收到其他邮件。如未收到，请查看垃圾邮件箱，或稍后重新订阅。
pub-subscribe-another = 订阅其他内容
pub-subscribe-back = 返回订阅页
pub-subscribe-expired = 无法确认此表单来自本站（可能打开时间过长，或浏览器禁用了 Cookie），订阅未提交。请返回并刷新页面后重新订阅。
pub-subscribe-too-many = 该地址在一小时内的订阅请求过多，本次未发送邮件，请稍后再试。
pub-subscribe-draft-h = 邮件关注本草案
pub-subscribe-draft-lead = 征求意见期延长、即将截止以及公布采纳情况报告时，给您发邮件。
pub-subscribe-home-h = 邮件获知新草案
pub-subscribe-home-lead = 每有草案开始征求意见，就给您发邮件。也可以只关注某一发布机构、某一公开目录或某一件草案。
pub-subscribe-short-submit = 通知我
pub-subscribe-short-hint = 我们会先发邮件请您确认。
pub-subscribe-more = 更多订阅选项
# 表单上方错误列表中的字段名称。
pub-subscribe-field-email = 电子邮箱
pub-subscribe-field-scope = 订阅范围
pub-subscribe-field-agency = 发布机构
pub-subscribe-field-category = 公开目录
pub-subscribe-field-draft = 草案
pub-subscribe-field-locale = 邮件语言

## 订阅（subscription.html）

pub-subscription-confirmed-h = 订阅已确认
pub-subscription-confirmed = 您将收到所订阅草案的通知邮件。每封邮件都附有退订链接。
pub-unsubscribe = 退订
pub-unsubscribe-ask = 确定不再接收此类邮件吗？
pub-unsubscribed-h = 已退订
pub-unsubscribed = 您将不再收到此类邮件。

## 未找到（not_found.html）

pub-not-found = 未找到
pub-not-found-detail = 请求的内容不存在或已不公开。
pub-not-found-drafts = 查看全部草案
pub-not-found-home = 返回首页

## Charts (http::charts, templates/charts.html)
pub-charts-h = 意见统计图
pub-chart-total = 共 { $n } 条意见
pub-chart-per-day = 每日收到的意见
pub-chart-opens = 征求意见开始
pub-chart-closes = 征求意见截止
pub-chart-extended = 原截止日（已延期）
pub-chart-undisposed = 尚未处理
pub-chart-market-note = 市场主体
pub-chart-col-day = 日期
pub-chart-col-note = 说明
pub-chart-empty = 暂无意见
