/// The words `TitleReader` cuts out of job titles: language rules of Chinese and English
/// recruitment, not model data.
enum TitleVocabulary {
    struct Word: Sendable {
        enum Kind: Sendable { case urgency, workType, place, level }
        var text: String
        var kind: Kind
        var ord = 0
        /// A level word that is also part of the title (算法专家): read, not cut.
        var keep = false
        var workType: TitleReading.WorkType?
    }

    static let urgency = [
        "急招", "急聘", "急需", "诚聘", "高薪诚聘", "高薪招聘", "高薪", "热招", "直招", "直聘", "内推", "名额有限",
        "包吃包住", "包吃住", "包食宿", "包住", "包吃", "提供住宿", "双休", "周末双休", "单休", "大小周", "五险一金", "六险一金",
        "五险", "社保", "带薪年假", "年终奖", "十三薪", "底薪+提成", "底薪", "提成", "高提成", "无责底薪", "免费培训", "带薪培训",
        "可培养", "经验不限", "无经验可", "无经验", "零基础", "接受小白", "应届生", "应届", "校招", "社招", "毕业生", "朝九晚五",
        "长白班", "白班", "夜班", "倒班", "两班倒", "不限学历", "学历不限", "男女不限", "可转正", "入职即缴", "薪资面议", "面议",
        "长期", "短期", "若干名", "若干", "hiring", "urgent", "urgently", "wfh",
    ]
    static let workTypes: [(String, TitleReading.WorkType)] = [
        ("兼职", .partTime), ("小时工", .partTime), ("临时工", .partTime), ("日结", .partTime), ("周结", .partTime),
        ("钟点工", .partTime), ("part-time", .partTime), ("part time", .partTime),
        ("实习生", .internship), ("实习", .internship), ("可实习", .internship), ("intern", .internship), ("internship", .internship),
        ("全职", .fullTime), ("full-time", .fullTime), ("full time", .fullTime), ("远程", .fullTime), ("居家办公", .fullTime),
        ("可远程", .fullTime), ("remote", .fullTime),
    ]
    /// Level words and their ords (初级, 中级 and 高级 take the model's engineer levels when it has them).
    static let levels: [(String, Int, Bool)] = [
        ("初级", 4, false), ("中级", 5, false), ("高级", 6, false), ("资深", 6, false), ("首席", 7, false),
        ("专家", 7, true), ("junior", 4, false), ("jr", 4, false), ("jr.", 4, false), ("mid-level", 5, false),
        ("senior", 6, false), ("sr", 6, false), ("sr.", 6, false), ("staff", 7, false), ("principal", 7, false),
        ("lead", 6, false), ("chief", 7, false),
    ]

    static let words: [Word] = {
        var out: [Word] = urgency.map { Word(text: $0, kind: .urgency) }
        out += workTypes.map { Word(text: $0.0, kind: .workType, workType: $0.1) }
        out += levels.map { Word(text: $0.0, kind: .level, ord: $0.1, keep: $0.2) }
        for r in Regions.all {
            out.append(Word(text: r.city, kind: .place))
            out.append(Word(text: r.city + "市", kind: .place))
        }
        for p in Regions.provinces { out.append(Word(text: p, kind: .place)); out.append(Word(text: p + "省", kind: .place)) }
        out += ["全国", "异地", "本地", "外派", "驻场", "海外", "国内", "省内", "市区", "总部", "分公司"].map { Word(text: $0, kind: .place) }
        return out
    }()

    /// Dropped from the end of a piece: "客服岗" reads as 客服.
    static let pieceSuffixes = ["岗位", "职位", "岗"]

    /// Rank words that end a title (测试经理, 运维主管): they say how senior, not what work; the n-gram
    /// similarity reads the title without them when something is left.
    static let rankWords = ["经理", "主管", "总监", "专员", "助理", "组长", "负责人", "主任", "总经理", "副总", "manager", "lead",
                            "director", "specialist", "assistant"]

    /// Taiwan and Hong Kong IT words, replaced before script conversion (軟體 is 软件, not 软体).
    static let regionalWords: [(String, String)] = [
        ("軟體", "软件"), ("軟件", "软件"), ("硬體", "硬件"), ("韌體", "固件"), ("網路", "网络"), ("程式", "程序"),
        ("資料庫", "数据库"), ("資料分析", "数据分析"), ("資料科學", "数据科学"), ("資料工程", "数据工程"),
        ("資訊", "信息"), ("數位", "数字"), ("雲端", "云"), ("演算法", "算法"), ("伺服器", "服务器"), ("介面", "界面"),
    ]

    /// The closing bracket of an opening one (after normalisation: `( [ < "`, `{`).
    static func closing(of v: UInt32) -> UInt32? {
        switch v {
        case 0x28: 0x29
        case 0x5B: 0x5D
        case 0x3C: 0x3E
        case 0x7B: 0x7D
        case 0x22: 0x22
        default: nil
        }
    }

    static func isClosing(_ v: UInt32) -> Bool { v == 0x29 || v == 0x5D || v == 0x3E || v == 0x7D }

    /// The end of a salary written at `i` ("15-25k", "8千-1.2万", "200元/天", "13薪", "10k以上"), else nil.
    static func salaryEnd(_ s: [UInt32], from i: Int) -> Int? {
        let n = s.count
        if i > 0, Scalars.isWord(s[i - 1]) { return nil }
        func number(_ k: Int) -> Int? {
            var j = k
            while j < n, Scalars.isDigit(s[j]) { j += 1 }
            guard j > k else { return nil }
            if j + 1 < n, s[j] == 0x2E, Scalars.isDigit(s[j + 1]) {
                j += 1
                while j < n, Scalars.isDigit(s[j]) { j += 1 }
            }
            return j
        }
        func unit(_ k: Int) -> Int {
            guard k < n else { return k }
            switch s[k] {
            case 0x6B, 0x77: return k + 1 < n && Scalars.isLetter(s[k + 1]) ? k : k + 1  // k, w
            case 0x5343, 0x4E07, 0x5143: return k + 1  // 千 万 元
            default: return k
            }
        }
        guard var j = number(i) else { return nil }
        let digits = j - i
        var hasUnit = false
        let u = unit(j)
        if u > j { hasUnit = true; j = u }
        var isRange = false
        if j < n, s[j] == 0x2D || s[j] == 0x7E || s[j] == 0x81F3 || s[j] == 0x5230 {  // - ~ 至 到
            if let e = number(j + 1) {
                isRange = true
                j = e
                let u2 = unit(j)
                if u2 > j { hasUnit = true; j = u2 }
            }
        }
        // "/月", "/天", "元/天", "每月"; "·13薪", "13薪"; "以上".
        if j < n, s[j] == 0x2F, j + 1 < n, [0x6708, 0x5929, 0x65F6, 0x5C0F, 0x5E74, 0x5468].contains(s[j + 1]) {  // 月 天 时 小 年 周
            hasUnit = true
            j += 2
            if j - 1 < n, s[j - 1] == 0x5C0F, j < n, s[j] == 0x65F6 { j += 1 }
        }
        if j < n, s[j] == 0x85AA { hasUnit = true; j += 1 }  // 薪
        if hasUnit, j + 1 < n, s[j] == 0x4EE5, s[j + 1] == 0x4E0A { j += 2 }  // 以上
        // A bare number is not a salary (STM32, 5G, 3D); a range of two bare numbers of 3+ digits is.
        guard hasUnit || (isRange && digits >= 3) else { return nil }
        if j < n, Scalars.isLetter(s[j]) { return nil }
        return j
    }
}
