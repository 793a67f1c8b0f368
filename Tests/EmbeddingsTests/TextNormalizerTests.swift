@testable import Embeddings
import Foundation
import Testing

/// The normaliser's per-scalar tables against Foundation/ICU applied directly.
@Suite struct TextNormalizerTests {
    let normalizer = TextNormalizer.shared

    /// ICU applied to a whole string: NFKC, case folding, Hant-Hans.
    static func icu(_ text: String) -> String {
        text.precomposedStringWithCompatibilityMapping.folding(options: .caseInsensitive, locale: nil)
            .applyingTransform(StringTransform("Hant-Hans"), reverse: false)!
    }

    @Test(arguments: [
        "軟體工程師ＰｙＴｏｒｃｈ３．１２", "計算機視覺與機器學習", "Ｃ＋＋，ｋ８ｓ（Ｋｕｂｅｒｎｅｔｅｓ）", "ＳＱＬ資料庫優化",
        "熟悉PyTorch/TensorFlow，3年以上计算机视觉项目经验", "人工智能工程技術人員（中級）證書", "Ⅻ ﬁle ㎏ ①②", "ÄÖÜ Straße İstanbul",
    ])
    func wholeTextsMatchICU(text: String) {
        #expect(normalizer.normalize(text).string == Self.icu(text), "\(text)")
    }

    /// Every BMP scalar outside the CJK blocks, and every 5th CJK ideograph, mapped on its own by
    /// ICU; scalars whose ICU result is punctuation or whitespace matchd unifies further are
    /// checked by `punctuationAndWhitespaceAreUnified`.
    @Test func everyScalarMatchesICU() {
        var checked = 0
        for v in UInt32(0)..<0x10000 {
            guard let s = Unicode.Scalar(v) else { continue }
            let isHan = (0x3400...0x9FFF).contains(v)
            if isHan, v % 5 != 0 { continue }
            let nfkc = String(s).precomposedStringWithCompatibilityMapping.folding(options: .caseInsensitive, locale: nil)
            let expected = isHan || nfkc.unicodeScalars.contains { (0x3400...0x9FFF).contains($0.value) }
                ? Self.icu(String(s)) : nfkc
            if expected.unicodeScalars.contains(where: { $0.properties.isWhitespace || TextNormalizer.unifyPunctuation($0.value) != $0.value }) {
                continue
            }
            let got = String(String.UnicodeScalarView(normalizer.map(s)))
            if got != expected { Issue.record("U+\(String(v, radix: 16)): \(got) vs ICU \(expected)") }
            checked += 1
        }
        #expect(checked > 40_000)
    }

    /// Script conversion is live (a missing ICU transform stops the process at table building).
    @Test func traditionalConvertsToSimplified() {
        #expect(normalizer.key("資料庫") == "资料库")
        #expect(normalizer.key("軟體測試") == "软体测试")
        #expect(normalizer.key("資料") != "資料")
    }

    /// Full case folding, not lower-casing: ß → ss, final sigma → σ, ligatures unfold.
    @Test func caseFoldingIsFull() {
        #expect(normalizer.key("Straße") == "strasse")
        #expect(normalizer.key("ΟΔΟΣ") == normalizer.key("οδος"))
        #expect(normalizer.key("ﬁle") == "file")
        #expect(normalizer.key("ＰｙＴｏｒｃｈ") == "pytorch")
    }

    @Test func punctuationAndWhitespaceAreUnified() {
        #expect(normalizer.normalize("“引号”—破折号「括号」【方括号】《书名》〜‘单’").string == "\"引号\"-破折号\"括号\"[方括号]<书名>~'单'")
        #expect(normalizer.normalize("a\u{3000}\u{3000}b\t\u{A0}c\r\nd\u{200B}e").string == "a b c\n\nde")
        #expect(normalizer.normalize("  lead").string == "lead")
    }

    @Test func originsMapBackToOriginalScalars() {
        let n = normalizer.normalize("Ａ①ｂ㎏\u{200B}Ｃ")
        #expect(n.string == "a1bkgc")
        #expect(n.origin == [0, 1, 2, 3, 3, 5])
        #expect(n.originalCount == 6)
        #expect(n.originalRange(from: 3, to: 5) == 3..<4)
        #expect(n.originalRange(from: 0, to: 6) == 0..<6)
    }

    @Test func keysFoldCaseWidthAndScript() {
        #expect(normalizer.key(" ＰｙＴｏｒｃｈ框架 ") == "pytorch框架")
        #expect(normalizer.key("機器學習") == normalizer.key("机器学习"))
    }
}

extension TextNormalizerTests {
    /// U+FDFA expands to 18 scalars from 3 UTF-8 bytes: the first buffer is too small and the
    /// growing path gives the same result as mapping scalar by scalar.
    @Test func longExpansionsOverflowIntoTheGrowingPath() {
        let text = String(repeating: "ﷺ", count: 40) + " Python"
        var expected: [UInt32] = []
        var origin: [Int32] = []
        for (k, s) in text.unicodeScalars.enumerated() {
            for m in normalizer.map(s) where !(m == " " && (expected.last == nil || expected.last == 0x20)) {
                expected.append(m.value)
                origin.append(Int32(k))
            }
        }
        let n = normalizer.normalize(text)
        #expect(n.scalars == expected)
        #expect(n.origin == origin)
        #expect(n.scalars.count > text.utf8.count + 16)
    }
}
