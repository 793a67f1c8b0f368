/// Provinces and major cities of mainland China, for reading place names out of job titles and
/// for grouping postings and profiles by region.
///
/// `tier` is the city-tier grouping commonly used in recruitment statistics (1 = 一线, 2 = 新一线,
/// 3 = 二线, 4 = 三线 and below); it is a market convention, not an official classification
/// (UNVERIFIED), and only orders cities for salary and demand tables.
public struct Region: Sendable, Hashable, Codable {
    /// Province-level name without its suffix (北京, 广东, 内蒙古).
    public var province: String
    /// City name without 市 (for municipalities the city is the municipality itself).
    public var city: String
    public var tier: Int
}

public enum Regions {
    /// `province: [(city, tier)]`; municipalities list themselves.
    static let table: [(String, [(String, Int)])] = [
        ("北京", [("北京", 1)]), ("上海", [("上海", 1)]), ("天津", [("天津", 2)]), ("重庆", [("重庆", 2)]),
        ("广东", [("广州", 1), ("深圳", 1), ("东莞", 2), ("佛山", 2), ("珠海", 3), ("惠州", 3), ("中山", 3), ("江门", 4),
                 ("汕头", 4), ("湛江", 4), ("肇庆", 4), ("清远", 4)]),
        ("浙江", [("杭州", 2), ("宁波", 2), ("温州", 3), ("绍兴", 3), ("嘉兴", 3), ("金华", 3), ("台州", 3), ("湖州", 4), ("义乌", 4)]),
        ("江苏", [("南京", 2), ("苏州", 2), ("无锡", 3), ("常州", 3), ("南通", 3), ("徐州", 3), ("扬州", 4), ("盐城", 4),
                 ("泰州", 4), ("镇江", 4), ("昆山", 4)]),
        ("四川", [("成都", 2), ("绵阳", 4), ("宜宾", 4), ("德阳", 4), ("南充", 4)]),
        ("湖北", [("武汉", 2), ("宜昌", 4), ("襄阳", 4)]),
        ("陕西", [("西安", 2), ("咸阳", 4), ("宝鸡", 4)]),
        ("湖南", [("长沙", 2), ("株洲", 4), ("湘潭", 4), ("岳阳", 4), ("衡阳", 4)]),
        ("河南", [("郑州", 2), ("洛阳", 3), ("新乡", 4), ("南阳", 4)]),
        ("山东", [("青岛", 2), ("济南", 3), ("烟台", 3), ("潍坊", 3), ("临沂", 4), ("淄博", 4), ("济宁", 4), ("威海", 4)]),
        ("安徽", [("合肥", 2), ("芜湖", 4), ("蚌埠", 4)]),
        ("福建", [("厦门", 3), ("福州", 3), ("泉州", 3), ("漳州", 4)]),
        ("辽宁", [("沈阳", 3), ("大连", 3), ("鞍山", 4)]),
        ("云南", [("昆明", 3), ("曲靖", 4)]),
        ("河北", [("石家庄", 3), ("保定", 4), ("唐山", 4), ("廊坊", 4)]),
        ("江西", [("南昌", 3), ("赣州", 4), ("九江", 4)]),
        ("广西", [("南宁", 3), ("柳州", 4), ("桂林", 4)]),
        ("山西", [("太原", 3), ("大同", 4)]),
        ("贵州", [("贵阳", 3), ("遵义", 4)]),
        ("黑龙江", [("哈尔滨", 3), ("大庆", 4)]),
        ("吉林", [("长春", 3), ("吉林", 4)]),
        ("甘肃", [("兰州", 3)]),
        ("内蒙古", [("呼和浩特", 3), ("包头", 4)]),
        ("新疆", [("乌鲁木齐", 3)]),
        ("海南", [("海口", 3), ("三亚", 4)]),
        ("宁夏", [("银川", 4)]),
        ("青海", [("西宁", 4)]),
        ("西藏", [("拉萨", 4)]),
        ("香港", [("香港", 1)]), ("澳门", [("澳门", 3)]), ("台湾", [("台北", 3)]),
    ]

    /// Every city, in table order.
    public static let all: [Region] = table.flatMap { province, cities in
        cities.map { Region(province: province, city: $0.0, tier: $0.1) }
    }

    /// Province names (without 省, 市, 自治区).
    public static let provinces: [String] = table.map(\.0)

    /// The region of a city written as people write it ("杭州", "杭州市", "浙江杭州", "浙江省杭州市";
    /// "Hangzhou" is not read).
    public static func region(ofCity text: String) -> Region? {
        let name = Substring(text.trimmingSpaces)
        if let r = lookup(name) { return r }
        for province in provinces where name.hasPrefix(province) && name.count > province.count {
            var rest = name.dropFirst(province.count)
            for suffix in ["省", "市", "自治区"] where rest.hasPrefix(suffix) { rest = rest.dropFirst(suffix.count) }
            if let r = lookup(rest) { return r }
        }
        return nil
    }

    private static func lookup(_ name: Substring) -> Region? {
        if let r = byCity[String(name)] { return r }
        for suffix in ["市", "区"] where name.hasSuffix(suffix) && name.count > 2 {
            if let r = byCity[String(name.dropLast(suffix.count))] { return r }
        }
        return nil
    }

    static let byCity: [String: Region] = {
        var out: [String: Region] = [:]
        for r in all where out[r.city] == nil { out[r.city] = r }
        return out
    }()
}
