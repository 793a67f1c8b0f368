import Embeddings
import Testing

@Suite struct RegionsTests {
    @Test(arguments: [("杭州", "浙江"), ("杭州市", "浙江"), ("浙江杭州", "浙江"), ("浙江省杭州市", "浙江"), ("北京", "北京"),
                      ("北京市", "北京"), ("上海市", "上海"), ("深圳", "广东"), ("广东省深圳市", "广东")])
    func citiesFindTheirProvince(city: String, province: String) {
        #expect(Regions.region(ofCity: city)?.province == province)
    }

    @Test func unknownPlacesHaveNoRegion() {
        for text in ["Hangzhou", "", "市", "浙江", "火星"] { #expect(Regions.region(ofCity: text) == nil, "\(text)") }
    }

    @Test func everyCityIsListedOnceUnderOneProvince() {
        #expect(Set(Regions.all.map(\.city)).count == Regions.all.count)
        #expect(Set(Regions.provinces).count == Regions.provinces.count)
        #expect(Regions.all.allSatisfy { Regions.region(ofCity: $0.city) == $0 })
    }
}
