//! Unit tests of the grouping, and the quality test on the labelled fixtures.

use super::*;

#[derive(serde::Deserialize, Clone)]
struct Labelled {
    label: String,
    text: String,
    /// On a letter that argues against an opinion: that opinion's label.
    #[serde(default)]
    opposes: Option<String>,
}

fn tuning() -> Vec<Labelled> {
    serde_json::from_str(include_str!("../../../tests/fixtures/grouping/tuning.json")).unwrap()
}

/// Written apart from the algorithm and never used for tuning.
fn blind() -> Vec<Labelled> {
    serde_json::from_str(include_str!("../../../tests/fixtures/grouping/blind.json")).unwrap()
}

fn fixtures() -> Vec<Labelled> {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/grouping/labelled.json"
    ))
    .unwrap()
}

fn holdout() -> Vec<Labelled> {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/grouping/holdout.json"
    ))
    .unwrap()
}

/// Pairwise precision and recall of `groups` against the labels.
fn pairwise(labels: &[&str], groups: &[ProposedGroup]) -> (f64, f64, usize, usize) {
    let mut group_of = vec![0usize; labels.len()];
    for (g, group) in groups.iter().enumerate() {
        for &m in &group.members {
            group_of[m] = g;
        }
    }
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for i in 0..labels.len() {
        for j in i + 1..labels.len() {
            match (group_of[i] == group_of[j], labels[i] == labels[j]) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    (precision, recall, fp, fn_)
}

#[test]
fn holdout_fixtures_meet_pairwise_precision_and_recall() {
    // Written apart from the generated set, with wrappers, case and spacing changes the
    // generator does not make; not used for tuning.
    check(holdout());
}

#[test]
fn labelled_fixtures_meet_pairwise_precision_and_recall() {
    let items = fixtures();
    assert!(
        items.len() >= 150,
        "the fixture set has {} comments",
        items.len()
    );
    check(items);
}

fn check(items: Vec<Labelled>) {
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    let groups = propose_groups(&texts);
    let (p, r, fp, fn_) = pairwise(&labels, &groups);
    for g in &groups {
        let mut ls: Vec<&str> = g.members.iter().map(|&m| labels[m]).collect();
        ls.dedup();
        eprintln!("{:>3} {:?} {}", g.members.len(), ls, g.title);
    }
    eprintln!("precision {p:.3} recall {r:.3} (false pairs {fp}, missed pairs {fn_})");
    assert!(p >= 0.9, "pairwise precision {p:.3} < 0.9");
    assert!(r >= 0.85, "pairwise recall {r:.3} < 0.85");
}

#[test]
fn full_width_and_case_fold_to_the_same_features() {
    let a = Doc::new("ＡＲＴＩＣＬＥ　５ is too short！");
    let b = Doc::new("article 5 is too short!");
    assert_eq!(a.terms, b.terms);
}

#[test]
fn form_letter_inside_greeting_and_signature_is_a_near_duplicate() {
    let base =
        "建议将征求意见期限延长至三十日，并在村（社区）公告栏同步张贴，方便不上网的老年人参与。";
    let wrapped = format!("尊敬的领导：您好！{base}此致敬礼！城关镇居民李先生");
    assert!(near_dup(&Doc::new(base), &Doc::new(&wrapped)) > 0.9);
    let other = "第五条规定的十五天征求意见期限是合理的，不宜延长，否则会拖慢文件出台。";
    assert!(near_dup(&Doc::new(base), &Doc::new(other)) < 0.3);
}

#[test]
fn chaining_is_guarded() {
    // a ~ b and b ~ c, but a and c share little: the guard keeps c out of a's group.
    let a = "建议将征求意见期限延长至三十日，并在村公告栏同步张贴草案全文";
    let b = "建议将征求意见期限延长至三十日，并在网站同步公布起草说明和决策依据";
    let c = "在网站同步公布起草说明和决策依据，并提供手机端查看和下载服务";
    let groups = propose_groups(&[a, b, c]);
    assert!(groups.iter().all(|g| g.members.len() < 3), "{groups:?}");
}

#[test]
fn titles_skip_greetings_and_are_short() {
    assert_eq!(
        title_of("尊敬的领导：您好！建议延长征求意见期限。谢谢！"),
        "建议延长征求意见期限"
    );
    assert_eq!(
        title_of("Dear Sir or Madam, Please exempt small firms. Thanks."),
        "Please exempt small firms"
    );
    assert!(title_of(&"很长".repeat(100)).chars().count() <= 61);
    assert_eq!(
        title_of("I am writing about Article 9. Please exempt small firms."),
        "Please exempt small firms"
    );
}

#[test]
fn every_text_is_in_exactly_one_group() {
    let texts = ["a", "", "同意", "同意", "agree"];
    let groups = propose_groups(&texts);
    let mut seen: Vec<usize> = groups.iter().flat_map(|g| g.members.clone()).collect();
    seen.sort_unstable();
    assert_eq!(seen, vec![0, 1, 2, 3, 4]);
}

#[test]
fn chinese_numerals_and_quantities_in_context() {
    assert_eq!(cjk_number("十五"), Some(15));
    assert_eq!(cjk_number("三十"), Some(30));
    assert_eq!(cjk_number("一百二十"), Some(120));
    assert_eq!(cjk_number("二〇二六"), Some(2026));
    // Twenty-two digits overflow a u64: no number, and no panic.
    let long = "一二三四五六七八九一二三四五六七八九一二三四";
    assert_eq!(cjk_number(long), None);
    assert!(Doc::new(&format!("第{long}条")).numbers.is_empty());
    let d = Doc::new("第十二条的期限由六十天改为30日，联系电话13800001111，2026年3月1日");
    assert_eq!(d.numbers, vec![12, 30, 60]);
    // Periods count in days, whatever unit names them.
    let days = |t: &str| Doc::new(t).numbers;
    assert_eq!(
        days("征求意见期限延长到一个月"),
        days("征求意见期限延长至三十日")
    );
    assert_eq!(days("只给半个月"), days("只给十五天"));
    assert_eq!(days("宽限期改成一年"), days("宽限期改为十二个月"));
    assert_eq!(days("半年"), days("六个月"));
    assert_eq!(days("两周"), days("14 days"));
    assert_eq!(days("keep it open for 1 month"), days("30日"));
    assert_ne!(days("六个月"), days("十二个月"));
}

#[test]
fn amounts_with_a_multiplier_and_percentages_are_quantities() {
    assert_eq!(cjk_number("一万五千"), Some(15_000));
    assert_eq!(cjk_number("三万"), Some(30_000));
    assert_eq!(cjk_number("三亿五千万"), Some(350_000_000));
    assert_eq!(
        cjk_number("亿亿亿亿亿"),
        None,
        "too large for a u64, and no panic"
    );
    let n = |t: &str| Doc::new(t).numbers;
    // 5千元 is 5,000 yuan (it was read as 千元, 1,000).
    assert_eq!(n("单户上限5千元"), n("单户补贴上限5000元"));
    assert_eq!(n("单户上限五千元"), vec![5_000]);
    assert_eq!(n("补贴1.5万元"), n("补贴一万五千元"));
    assert_eq!(n("补贴3万元"), vec![30_000]);
    // A percentage, however it is written; a decimal that is no whole quantity is none.
    assert_eq!(n("不低于费用的50%"), vec![50]);
    assert_eq!(n("不低于费用的百分之五十"), vec![50]);
    assert_eq!(n("不低于百分之50"), vec![50]);
    assert_eq!(n("at least 50 percent"), vec![50]);
    assert!(n("提高到2.5倍").is_empty());
    assert!(n("千万不要，万一出事").is_empty());
    // So another share is another opinion, and the same share in other words is not.
    let half = Doc::new("建议明确补贴比例不低于设备购置及安装费用的50%。");
    assert!(conflicts(
        &half,
        &Doc::new("建议明确补贴比例不低于设备购置及安装费用的30%，单户上限3千元。")
    ));
    assert!(!conflicts(
        &half,
        &Doc::new("补贴比例不低于设备和安装费用的百分之五十。")
    ));
}

#[test]
fn different_quantities_or_opposite_sides_conflict() {
    let a = Doc::new("建议将第十条的答复期限由六十天改为三十天。");
    let b = Doc::new("建议将第十条的答复期限由六十天改为九十天。");
    let dropped = Doc::new("建议将第十条的答复期限改为三十天。");
    assert!(conflicts(&a, &b));
    assert!(!conflicts(&a, &dropped));
    assert!(conflicts(
        &Doc::new("I support the fee waiver in Article 12."),
        &Doc::new("I oppose the fee waiver in Article 12.")
    ));
}

#[test]
fn wrapping_is_stripped_from_the_core() {
    assert_eq!(
        core_text("尊敬的领导：建议延长期限。此致敬礼！市民王某"),
        "建议延长期限。"
    );
    assert_eq!(
        core_text("Dear Sir or Madam, Please exempt small firms. Regards, John Smith"),
        "Please exempt small firms."
    );
    assert_eq!(core_text("谢谢！"), "谢谢！");
}

// ---------------------------------------------------------------------------------------
// Order, stance, confidence

/// The partition as sets of input texts (so two runs over different orders compare).
fn partition_of(texts: &[&str], groups: &[ProposedGroup]) -> Vec<Vec<String>> {
    let mut parts: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            let mut p: Vec<String> = g.members.iter().map(|&m| texts[m].to_string()).collect();
            p.sort();
            p
        })
        .collect();
    parts.sort();
    parts
}

/// A deterministic shuffle (xorshift), so a failure names its seed.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for i in (1..v.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

#[test]
fn the_same_comments_give_the_same_groups_in_any_order() {
    for items in [fixtures(), holdout(), tuning(), blind()] {
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        let expected = partition_of(&texts, &propose_groups(&texts));
        for seed in 1..=20u64 {
            let order = shuffled(&texts, seed);
            let got = partition_of(&order, &propose_groups(&order));
            assert!(got == expected, "seed {seed}: another partition");
        }
    }
}

#[test]
fn a_letter_that_refuses_the_request_conflicts_with_it() {
    let pairs = [
        (
            "提议将征求意见期限由十五日延长至三十日，让群众有充分时间提出意见。",
            "我们认为十五日的公开征求意见期限已经足够，不建议延长至三十日。",
        ),
        (
            "建议取消第五条中关于法律咨询收取服务费的规定，法律咨询应当免费。",
            "建议保留第五条中关于法律咨询收取服务费的规定。",
        ),
        (
            "第十二条应当设立村法律顾问。",
            "第十二条不必设立村法律顾问。",
        ),
        ("我支持第八条的收费标准。", "我反对第八条的收费标准。"),
        (
            "Please keep the fee waiver in Article 9.",
            "Please remove the fee waiver in Article 9.",
        ),
        (
            "The comment period should be extended to 30 days.",
            "The comment period should not be extended to 30 days.",
        ),
        (
            "I am for the ban on open-air barbecue in residential areas.",
            "I am against the ban on open-air barbecue in residential areas.",
        ),
    ];
    for (ask, refuse) in pairs {
        assert!(conflict_between(ask, refuse).is_some(), "{ask} / {refuse}");
        let groups = propose_groups(&[ask, ask, refuse, refuse]);
        assert_eq!(groups.len(), 2, "{ask} / {refuse}: {groups:?}");
    }
}

#[test]
fn incidental_negations_do_not_split_a_request() {
    let same = [
        (
            "建议将征求意见期限延长至三十日。",
            "建议将征求意见期限延长至三十日，不要只给十五天。",
        ),
        (
            "建议取消法律咨询收费。",
            "法律咨询不应该收费，建议取消收费。",
        ),
        (
            "我们是小店，房东不同意在外墙打孔，整改期限太短，建议将宽限期延长到十二个月。",
            "整改期限太短，建议将宽限期延长到十二个月。",
        ),
        ("不建议取消第五条。", "建议保留第五条。"),
    ];
    for (a, b) in same {
        assert_eq!(conflict_between(a, b), None, "{a} / {b}");
    }
}

#[test]
fn a_plain_negation_of_what_the_other_refuses_takes_its_side() {
    // "不予罚款" refuses fines; "别罚款" and "不罚款" say no to them too, without a refusal word.
    let same = [
        (
            "恳请将小型餐饮单位的整改宽限期由6个月延长至12个月，宽限期内以指导帮扶为主，不予罚款。",
            "小餐馆整改宽限期6个月改成12个月吧，宽限期内别罚款，谢谢。",
        ),
        (
            "请在采纳情况报告中逐条说明不予采纳的理由。",
            "采纳情况报告要逐条写清楚，没采纳的说明理由。",
        ),
    ];
    for (a, b) in same {
        assert_eq!(conflict_between(a, b), None, "{a} / {b}");
    }
    // A passive refusal judges what comes before it.
    assert_eq!(
        conflict_between(
            "Comments that arrive after the deadline should be accepted.",
            "Comments that arrive after the deadline should be rejected.",
        ),
        Some(Conflict::Refusal)
    );
}

#[test]
fn texts_close_in_meaning_oppose_only_when_the_refusal_is_about_their_common_ground() {
    let idf = Idf {
        weight: HashMap::default(),
        default: 1.0,
    };
    let doc = |t: &str| Doc::new(core_text(t));
    let campaign = doc(
        "恳请将小型餐饮单位的整改宽限期由6个月延长至12个月，宽限期内以指导帮扶为主，不予罚款。",
    );
    // A refusal clause beside the request: a paraphrase without it is on the same side.
    for same in [
        "对我们夫妻店来说半年整改期太短，希望整改宽限期延长到一年，先帮扶后处罚。",
        "Six months is not enough for tiny eateries to fit a purifier. Please give small shops a \
         full year before enforcement starts.",
    ] {
        assert!(!opposed(&campaign, &doc(same), &idf), "{same}");
    }
    // A letter that argues against the request, in either language.
    for other in [
        "不建议延长宽限期。第二十一条给的6个月已经足够，再延长到12个月，楼上住户又要多忍半年油烟。",
        "I oppose extending the grace period for small restaurants to 12 months.",
    ] {
        assert!(opposed(&campaign, &doc(other), &idf), "{other}");
        assert!(opposed(&doc(other), &campaign, &idf), "{other}");
    }
    // Two letters against it, in other words, are on one side.
    assert!(!opposed(
        &doc("不建议延长宽限期，六个月已经足够。"),
        &doc("I oppose extending the grace period for small restaurants to 12 months."),
        &idf
    ));
}

#[test]
fn across_languages_a_letter_that_refuses_never_joins_one_that_asks() {
    // A long letter against the request, its refusal one sentence after a story: it does not
    // refuse centrally, yet it must never join the campaign it opposes, however close its
    // vector reads (opposing letters read as close as paraphrases; here closer).
    let campaign = "Please extend the public comment period from 15 days to 30 days so that \
                    residents have time to read the draft and respond.";
    let against = "我家就住在县政府旁边，退休以后每天都看政府网站上的公告，这次的草案我逐字逐句\
        仔细看过了，觉得写得很认真，很多条款都考虑到了群众的实际情况。我们小区的老邻居们晚饭后\
        也在楼下一起讨论过，大家对其他条款都没有什么意见，对听证会的安排也很满意，\
        网上提交意见的页面字也够大，老年人用起来方便。我认为十五日已经足够，不建议延长。";
    let asking = "征求意见的时间太短了，请改成一个月，让居民有时间提意见。";
    assert!(!Doc::new(core_text(against)).refuses_centrally);
    let texts = [
        campaign,
        campaign,
        against,
        asking,
        "第九条的法律援助申请材料太多，建议简化。",
        "Please publish the list of restaurants fined under this regulation.",
    ];
    let vector = |i: usize| match i {
        0 | 1 => vec![1.0, 0.0, 0.0, 0.0, 0.5],
        2 => vec![1.0, 0.0, 0.0, 0.02, 0.5],
        3 => vec![1.0, 0.0, 0.0, 0.1, 0.5],
        4 => vec![0.0, 1.0, 0.0, 0.0, 0.5],
        _ => vec![0.0, 0.0, 1.0, 0.0, 0.5],
    };
    let meaning = |reps: &[usize]| reps.iter().map(|&i| Some(vector(i))).collect();
    let groups = propose_groups_with(&texts, &GroupingParams::default(), Some(&meaning));
    let group_of = |i: usize| groups.iter().position(|g| g.members.contains(&i));
    // The vectors join what asks the same in two languages...
    assert_eq!(group_of(0), group_of(3), "{groups:?}");
    // ...and never the letter against it.
    assert_ne!(group_of(0), group_of(2), "{groups:?}");
}

#[test]
fn across_two_languages_a_lower_cosine_joins_than_within_one() {
    let texts = [
        "建议把征求意见期延长一些，让大家有时间看草案。",
        "Please give residents more time to comment on the draft.",
        "法律援助的申请材料太多，建议简化流程。",
        "法律援助应当覆盖每个村，建议设立村级法律顾问。",
        "Please publish the list of restaurants fined under this regulation.",
        "Night markets should close by eleven at night.",
        "建议公布油烟投诉的处理结果。",
    ];
    // Two pairs at one raw cosine: 0 and 1 across two languages, 2 and 3 within Chinese.
    let (c, s) = (0.7f32, 0.51f32.sqrt());
    let e = |k: usize, x: f32| {
        let mut v = vec![0f32; 8];
        v[k] = x;
        v
    };
    let plus = |a: Vec<f32>, b: Vec<f32>| a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let vector = |i: usize| match i {
        0 => e(0, 1.0),
        1 => plus(e(0, c), e(1, s)),
        2 => e(2, 1.0),
        3 => plus(e(2, c), e(3, s)),
        k => e(k, 1.0),
    };
    let latin = |i: usize| matches!(i, 1 | 4 | 5);
    // Both pairs read the same once centred, between the threshold across and the one within.
    let all: Vec<Vec<f32>> = (0..texts.len()).map(vector).collect();
    let centre = meaning::Centre::of(
        8,
        all.iter()
            .enumerate()
            .map(|(i, v)| (v.as_slice(), latin(i))),
    )
    .unwrap();
    let unit = |i: usize| centre.unit(&all[i], latin(i)).unwrap();
    let centred = |a: usize, b: usize| meaning::dot(&unit(a), &unit(b));
    let params = GroupingParams::default();
    for (a, b) in [(0, 1), (2, 3)] {
        let cos = f64::from(centred(a, b));
        assert!(
            cos > params.meaning_across && cos < params.meaning,
            "{a}, {b}: {cos}"
        );
    }
    let meaning = |reps: &[usize]| reps.iter().map(|&i| Some(vector(i))).collect();
    let together = |params: &GroupingParams, a: usize, b: usize| {
        let groups = propose_groups_with(&texts, params, Some(&meaning));
        groups
            .iter()
            .any(|g| g.members.contains(&a) && g.members.contains(&b))
    };
    // The same request in two languages joins; two requests in one language do not.
    assert!(together(&params, 0, 1));
    assert!(!together(&params, 2, 3));
    // The officer sees the joined member's score as the join weighed it: at or above the
    // threshold.
    let groups = propose_groups_with(&texts, &params, Some(&meaning));
    let g = groups.iter().find(|g| g.members.contains(&0)).unwrap();
    let joined = g
        .why
        .iter()
        .find(|w| w.reason == Reason::SameMeaning)
        .unwrap();
    assert!(f64::from(joined.score) >= params.meaning, "{joined:?}");
    // Weighed as a pair within one language, the pair across would stay apart.
    let flat = GroupingParams {
        meaning_across: params.meaning,
        ..params.clone()
    };
    assert!(!together(&flat, 0, 1));
}

#[test]
fn every_member_says_why_it_is_in_its_group() {
    let letter =
        "建议将征求意见期限延长至三十日，并在村（社区）公告栏同步张贴，方便不上网的老年人参与。";
    let wrapped = format!("尊敬的领导：您好！{letter}此致敬礼！城关镇居民李先生");
    let changed =
        "建议将征求意见期限延长至三十日，并在村（社区）公告栏同步张贴，方便不会上网的老人参与。";
    let texts = [letter, wrapped.as_str(), changed, letter];
    let groups = propose_groups(&texts);
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g.why.len(), g.members.len());
    assert!(g.why.iter().all(|w| w.reason == Reason::SameLetter));
    // The copies are whole; the letter with changed words less so, but it is still the letter.
    let of = |i: usize| g.why[g.members.iter().position(|&m| m == i).unwrap()].score;
    assert_eq!(of(0), 1.0);
    assert!(of(2) < 1.0 && of(2) >= 0.7, "{}", of(2));
}

// ---------------------------------------------------------------------------------------
// The semantic stage, with the real model (skipped loudly without it; CI requires it)

fn model() -> Option<&'static crate::semantic::Embedder> {
    use std::sync::OnceLock;
    static MODEL: OnceLock<Option<crate::semantic::Embedder>> = OnceLock::new();
    let model = MODEL.get_or_init(|| {
        let path = crate::semantic::default_model_path();
        if path.exists() {
            return Some(crate::semantic::Embedder::load(&path).unwrap());
        }
        assert!(
            std::env::var("CONSULT_REQUIRE_MODEL").as_deref() != Ok("1"),
            "CONSULT_REQUIRE_MODEL=1 but the model is not at {} (scripts/fetch-model fetches it)",
            path.display()
        );
        None
    });
    if model.is_none() {
        crate::testing::skipped(
            "the semantic grouping check: the sentence model is absent (scripts/fetch-model fetches it)",
        );
    }
    model.as_ref()
}

/// Each text's vector (what the service embeds: the request sentences), on both cores.
fn vectors(model: &crate::semantic::Embedder, texts: &[&str]) -> Vec<Vec<f32>> {
    let chunk = texts.len().div_ceil(2).max(1);
    std::thread::scope(|s| {
        let hs: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|t| model.embed(&request_of(t)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

struct Scores {
    precision: f64,
    recall: f64,
    /// Letters inside a group that holds the opinion they argue against.
    opposing_inside: usize,
    /// Missed members that "possible matches" ranks in the top 5 (with no more than four
    /// wrong texts above them), out of all missed members.
    found_in_top5: (usize, usize),
}

fn score_with_meaning(items: &[Labelled], model: &crate::semantic::Embedder) -> Scores {
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    let vs = vectors(model, &texts);
    let meaning = |reps: &[usize]| reps.iter().map(|&i| Some(vs[i].clone())).collect();
    let groups = propose_groups_with(&texts, &GroupingParams::default(), Some(&meaning));
    for g in &groups {
        let mut ls: Vec<&str> = g.members.iter().map(|&m| labels[m]).collect();
        ls.sort_unstable();
        ls.dedup();
        eprintln!("{:>3} {:?} {}", g.members.len(), ls, g.title);
    }
    let (precision, recall, _, _) = pairwise(&labels, &groups);
    let opposes: Vec<Option<&str>> = items.iter().map(|i| i.opposes.as_deref()).collect();
    let inside = super::evaluate::opposing_inside(&labels, &opposes, &groups);
    for &m in &inside {
        eprintln!("opposing inside: {}", texts[m]);
    }
    let report = super::evaluate::possible_matches(&texts, &labels, &opposes, &groups, &vs);
    Scores {
        precision,
        recall,
        opposing_inside: inside.len(),
        found_in_top5: (report.found, report.missed),
    }
}

#[test]
fn with_meaning_the_tuning_and_blind_sets_keep_their_figures() {
    let Some(model) = model() else { return };
    // Floors a little under what docs/review.md reports, so a regression fails; see there
    // for the targets and how far the method falls short of them.
    // The share of missed members in the top 5 of "possible matches" has a floor too: the code
    // that centred every vector on one mean scored 0.51 and 0.32, and the code that took any
    // refusal word for the other side when texts share few words, 0.82 and 0.56; on the tuning
    // set, the code that read 5千元 as a thousand yuan 0.89, and the code that ranked by the
    // group's direction alone (no nearest member) 0.906. Since a pair across two languages
    // joins more readily, two members the list used to find are joined instead: 57 of 62
    // found (0.919), the same five outside the top 5. The code that weighed a pair across two
    // languages as one within scored recall 0.695 and 0.504.
    for (name, items, p_min, r_min, top5_min) in [
        ("tuning", tuning(), 0.98, 0.70, 0.91),
        ("blind", blind(), 0.98, 0.56, 0.70),
        ("labelled", fixtures(), 0.98, 0.98, 0.0),
    ] {
        let s = score_with_meaning(&items, model);
        eprintln!(
            "{name}: precision {:.3} recall {:.3}, opposing inside {}, possible matches top 5: {}/{}",
            s.precision, s.recall, s.opposing_inside, s.found_in_top5.0, s.found_in_top5.1
        );
        assert_eq!(
            s.opposing_inside, 0,
            "{name}: an opposing letter sits in the group it opposes"
        );
        assert!(
            s.precision >= p_min,
            "{name}: precision {:.3} < {p_min}",
            s.precision
        );
        assert!(
            s.recall >= r_min,
            "{name}: recall {:.3} < {r_min}",
            s.recall
        );
        let (found, missed) = s.found_in_top5;
        assert!(
            found as f64 >= top5_min * missed as f64,
            "{name}: possible matches top 5 {found}/{missed} < {top5_min}"
        );
    }
}

#[test]
fn with_meaning_the_order_does_not_matter_either() {
    let Some(model) = model() else { return };
    let items = tuning();
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let vs = vectors(model, &texts);
    let vector_of: std::collections::HashMap<&str, &Vec<f32>> =
        texts.iter().copied().zip(vs.iter()).collect();
    let run = |order: &[&str]| {
        let meaning = |reps: &[usize]| {
            reps.iter()
                .map(|&i| Some(vector_of[order[i]].clone()))
                .collect()
        };
        partition_of(
            order,
            &propose_groups_with(order, &GroupingParams::default(), Some(&meaning)),
        )
    };
    let expected = run(&texts);
    for seed in 1..=10u64 {
        assert!(run(&shuffled(&texts, seed)) == expected, "seed {seed}");
    }
}
