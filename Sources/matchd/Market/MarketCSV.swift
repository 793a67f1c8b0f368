import Foundation

/// The market tables as CSV for spreadsheets: UTF-8 with a byte-order mark (so that a
/// spreadsheet opens Chinese text right), CRLF line ends, RFC 4180 quoting, Chinese column names
/// in the order of published tables. A suppressed count is an empty cell.
enum MarketCSV {
    static func table(header: [String], rows: [[String]]) -> String {
        "\u{FEFF}" + ([header] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func number(_ x: Int?) -> String { x.map(String.init) ?? "" }
    static func number(_ x: Double?, digits: Int = 3) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "" }

    static let bandNames: [S.SupplyRow.BandPayload: String] = [
        .total: "合计", .junior: "初级", .intermediate: "中级", .senior: "高级", .unspecified: "未注明",
    ]
    static let degreeNames: [S.ShortageEntry.DegreePayload: String] = [.acute: "特别紧缺", .serious: "比较紧缺", .shortage: "紧缺"]

    static func supply(_ rows: [S.SupplyRow]) -> String {
        table(header: ["地区类型", "地区", "所属省份", "职业编码", "职业名称", "数字职业", "等级", "岗位需求数", "可上岗人数",
                       "一课之遥人数", "其余求职人数", "求职人数", "紧缺指数", "指数为下限"],
              rows: rows.map { r in
                  [r.region.kind.rawValue, r.region.name, r.region.province ?? "", r.occupation.code, r.occupation.name,
                   r.occupation.digital ? "是" : "否", bandNames[r.band]!, String(r.demand), number(r.ready), number(r.oneCourse),
                   number(r.rest), number(r.seekers), number(r.shortageIndex), r.indexIsLowerBound ? "是" : "否"]
              })
    }

    static func shortages(_ items: [S.ShortageEntry]) -> String {
        table(header: ["序号", "职业编码", "职业名称", "紧缺程度", "岗位需求数", "可上岗人数", "一课之遥人数", "求职人数", "求人倍率",
                       "紧缺指数", "需求趋势（岗位/月）", "预测紧缺指数（4-6个月后）", "工资中位数（元/月）"],
              rows: items.map { e in
                  [String(e.rank), e.occupation.code, e.occupation.name, degreeNames[e.degree]!, String(e.demand), number(e.ready),
                   number(e.oneCourse), number(e.seekers), number(e.jobsPerSeeker, digits: 2),
                   number(e.shortageIndex) + (e.indexIsLowerBound ? "+" : ""), number(e.slope, digits: 2),
                   number(e.forecastIndex), number(e.medianWage, digits: 0)]
              })
    }

    static func courses(_ items: [S.CourseImpactEntry]) -> String {
        table(header: ["序号", "课程编号", "课程名称", "培训机构", "学时", "可享补贴", "可提升达标人数", "涉及岗位数"],
              rows: items.map { e in
                  [String(e.rank), e.course.id, e.course.title.zh, e.course.provider ?? "", String(e.hours),
                   e.subsidyEligible == true ? "是" : "否", number(e.liftedTalents), String(e.postings)]
              })
    }

    static func wages(_ items: [S.WageLevel]) -> String {
        table(header: ["职业编码", "职业名称", "省份", "城市", "等级", "样本数", "P10", "P25", "P50", "P75", "P90", "平均"],
              rows: items.map { w in
                  [w.occupation?.code ?? "", w.occupation?.name ?? "", w.province ?? "", w.city ?? "", number(w.level),
                   String(w.count), number(w.p10, digits: 0), number(w.p25, digits: 0), number(w.p50, digits: 0),
                   number(w.p75, digits: 0), number(w.p90, digits: 0), number(w.mean, digits: 0)]
              })
    }
}
