import Foundation

/// Folds text so that matching ignores width, case, script and punctuation style, and keeps a
/// map from every normalised scalar back to the original text.
///
/// Per Unicode scalar `s` of the Basic Multilingual Plane, in this order:
/// 1. **NFKC** (`precomposedStringWithCompatibilityMapping`, ICU): full-width → half-width
///    (`Ｐｙｔｈｏｎ` → `Python`, `（` → `(`, `，` → `,`, ideographic space → space), compatibility
///    ideographs → unified ones, `①` → `1`;
/// 2. **full Unicode case folding** (`folding(options: .caseInsensitive, locale: nil)`, ICU): `Straße` →
///    `strasse`, final `ς` → `σ`;
/// 3. **traditional → simplified** (ICU `Hant-Hans`), *character by character*: 軟體 → 软体, not the
///    mainland term 软件. Regional terms belong in the model's aliases. When ICU cannot convert
///    (the transform is missing or maps 資 to itself), building the tables stops the process with
///    a precondition failure rather than silently matching traditional text no more;
/// 4. **punctuation and whitespace unification**: every dash (‐ ‑ ‒ – — ― −) → `-`; curly and corner
///    quotes (‘ ’ “ ” 「 」 『 』) → `'` or `"`; 【 〔 ［ → `[`, 】 〕 ］ → `]`; 《 〈 → `<`, 》 〉 → `>`;
///    〜 → `~`; every whitespace scalar → space, except line breaks (`\r`, U+2028/2029 → `\n`);
///    zero-width scalars (U+200B…U+200D, U+2060, U+FEFF, soft hyphen) are dropped.
///
/// `normalize(_:)` then collapses runs of spaces (and spaces after a line break) into nothing but
/// the first. Scalars outside the BMP pass through unchanged. Combining sequences are not
/// composed across scalars (each scalar is mapped on its own).
///
/// The tables are computed once per process, by calling ICU on every BMP scalar whose
/// `changesWhenNFKCCaseFolded`, `changesWhenCaseFolded` or `changesWhenLowercased` property is set and on the CJK ideograph blocks in one batch
/// (about 0.1 s); normalising text is then one table lookup per scalar, with no ICU call.
public struct TextNormalizer: Sendable {
    /// The process-wide tables, built on first use.
    public static let shared = TextNormalizer()

    /// `table[v]` for a BMP scalar `v`: the mapped scalar when bit 31 is clear; `deleted`; or
    /// `expansionFlag | offset << 8 | count` pointing into `expansions`.
    private let table: [UInt32]
    private let expansions: [UInt32]
    private static let deleted: UInt32 = 0xFFFF_FFFF
    private static let expansionFlag: UInt32 = 0x8000_0000

    private init() {
        var table = [UInt32](repeating: 0, count: 0x10000)
        var expansions: [UInt32] = []

        // Stage 3 input: traditional → simplified over the ideograph blocks, one ICU call.
        let hanRanges: [ClosedRange<UInt32>] = [0x3400...0x4DBF, 0x4E00...0x9FFF]
        var hanMap: [UInt32: UInt32] = [:]
        var batch = String.UnicodeScalarView()
        var batchScalars: [UInt32] = []
        for range in hanRanges {
            for v in range {
                guard let s = Unicode.Scalar(v) else { continue }
                batch.append(s)
                batch.append("\n")
                batchScalars.append(v)
            }
        }
        // Without the transform matchd would silently stop matching traditional text: refuse to run.
        guard let converted = String(batch).applyingTransform(StringTransform("Hant-Hans"), reverse: false) else {
            preconditionFailure("ICU's Hant-Hans transform is unavailable; traditional Chinese cannot be normalised")
        }
        let parts = converted.split(separator: "\n", omittingEmptySubsequences: false)
        precondition(parts.count >= batchScalars.count,
                     "ICU's Hant-Hans transform returned \(parts.count) lines for \(batchScalars.count) ideographs")
        for (v, part) in zip(batchScalars, parts) {
            let scalars = Array(part.unicodeScalars)
            if scalars.count == 1, scalars[0].value != v { hanMap[v] = scalars[0].value }
        }
        precondition(hanMap[0x8CC7] == 0x8D44 && hanMap[0x9AD4] == 0x4F53,
                     "ICU's Hant-Hans transform does not map 資 → 资 and 體 → 体")

        for v in UInt32(0)..<0x10000 {
            guard let s = Unicode.Scalar(v) else {
                table[Int(v)] = v  // surrogate code points never occur in a String
                continue
            }
            // Stages 1 and 2.
            var mapped: [UInt32]
            if s.properties.changesWhenNFKCCaseFolded || s.properties.changesWhenCaseFolded || s.properties.changesWhenLowercased {
                mapped = String(s).precomposedStringWithCompatibilityMapping.folding(options: .caseInsensitive, locale: nil)
                    .unicodeScalars.map(\.value)
            } else {
                mapped = [v]
            }
            // Stages 3 and 4.
            mapped = mapped.compactMap { m -> UInt32? in
                let simplified = hanMap[m] ?? m
                return Self.unifyPunctuation(simplified)
            }
            if mapped.isEmpty {
                table[Int(v)] = Self.deleted
            } else if mapped.count == 1 {
                table[Int(v)] = mapped[0]
            } else {
                table[Int(v)] = Self.expansionFlag | UInt32(expansions.count) << 8 | UInt32(mapped.count)
                expansions.append(contentsOf: mapped)
            }
        }
        self.table = table
        self.expansions = expansions
    }

    /// Stage 4 for one scalar; `nil` drops it.
    static func unifyPunctuation(_ v: UInt32) -> UInt32? {
        switch v {
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: return nil
        case 0x0D, 0x2028, 0x2029, 0x85: return 0x0A
        case 0x0A: return 0x0A
        case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63: return 0x2D  // -
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032: return 0x27  // '
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x300C, 0x300D, 0x300E, 0x300F: return 0x22  // "
        case 0x3010, 0x3014, 0xFF3B: return 0x5B  // [
        case 0x3011, 0x3015, 0xFF3D: return 0x5D  // ]
        case 0x300A, 0x3008: return 0x3C  // <
        case 0x300B, 0x3009: return 0x3E  // >
        case 0x301C: return 0x7E  // ~
        default:
            if let s = Unicode.Scalar(v), s.properties.isWhitespace { return 0x20 }
            return v
        }
    }

    /// The normalised form of `text`, with the original offset of every scalar.
    ///
    /// - Complexity: O(n) in the scalars of `text`; one table lookup per scalar, no ICU call.
    public func normalize(_ text: String) -> NormalizedText {
        // Output never exceeds the UTF-8 length except through expansions (㎏ → kg); those check
        // the room left and fall back to growing arrays.
        let capacity = text.utf8.count + 16
        var overflow = false
        var written = 0
        var offset: Int32 = 0
        var origin: [Int32] = []
        var scalars = [UInt32](unsafeUninitializedCapacity: capacity) { out, outCount in
            origin = [Int32](unsafeUninitializedCapacity: capacity) { org, orgCount in
                table.withUnsafeBufferPointer { table in
                    expansions.withUnsafeBufferPointer { expansions in
                        var n = 0
                        var last: UInt32 = 0x0A  // a leading space is dropped like one after a line break
                        for s in text.unicodeScalars {
                            let v = s.value
                            var m = v
                            if v < 0x10000 {
                                m = table[Int(v)]
                                if m & Self.expansionFlag != 0 {
                                    if m != Self.deleted {
                                        let start = Int((m & 0x7FFF_FFFF) >> 8), count = Int(m & 0xFF)
                                        if n + count > capacity { overflow = true; break }
                                        for i in start..<(start + count) {
                                            let e = expansions[i]
                                            if e == 0x20, last == 0x20 || last == 0x0A { continue }
                                            out[n] = e
                                            org[n] = offset
                                            n += 1
                                            last = e
                                        }
                                    }
                                    offset += 1
                                    continue
                                }
                            }
                            if !(m == 0x20 && (last == 0x20 || last == 0x0A)) {
                                if n >= capacity { overflow = true; break }
                                out[n] = m
                                org[n] = offset
                                n += 1
                                last = m
                            }
                            offset += 1
                        }
                        written = n
                    }
                }
                orgCount = written
            }
            outCount = written
        }
        if overflow { return normalizeGrowing(text) }
        return NormalizedText(scalars: scalars, origin: origin, originalCount: Int(offset))
    }

    /// `normalize` with growing arrays, for texts whose expansions outgrow the first guess.
    private func normalizeGrowing(_ text: String) -> NormalizedText {
        var out: [UInt32] = []
        var origin: [Int32] = []
        var offset: Int32 = 0
        for s in text.unicodeScalars {
            for m in map(s) {
                let v = m.value
                if v == 0x20, out.last == nil || out.last == 0x20 || out.last == 0x0A { continue }
                out.append(v)
                origin.append(offset)
            }
            offset += 1
        }
        return NormalizedText(scalars: out, origin: origin, originalCount: Int(offset))
    }

    /// The normalised form of one scalar (possibly several scalars, possibly none).
    public func map(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let v = scalar.value
        guard v < 0x10000 else { return [scalar] }
        let m = table[Int(v)]
        if m == Self.deleted { return [] }
        if m & Self.expansionFlag == 0 { return [Unicode.Scalar(m)!] }
        let start = Int((m & 0x7FFF_FFFF) >> 8), count = Int(m & 0xFF)
        return expansions[start..<(start + count)].map { Unicode.Scalar($0)! }
    }

    /// The key names and aliases are compared by: normalised, without leading or trailing spaces.
    public func key(_ text: String) -> String {
        var scalars = normalize(text).scalars[...]
        while scalars.first == 0x20 || scalars.first == 0x0A { scalars = scalars.dropFirst() }
        while scalars.last == 0x20 || scalars.last == 0x0A { scalars = scalars.dropLast() }
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }
}

/// Text after `TextNormalizer`, as scalar values, with each one's offset in the original text.
public struct NormalizedText: Sendable, Equatable {
    /// Normalised Unicode scalar values.
    public let scalars: [UInt32]
    /// `origin[i]`: the offset, in Unicode scalars, of the original scalar that produced `scalars[i]`.
    public let origin: [Int32]
    /// How many Unicode scalars the original text has.
    public let originalCount: Int

    /// The normalised text as a `String`.
    public var string: String {
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }

    /// The original scalar range `[start, end)` covered by normalised scalars `[from, to)`.
    public func originalRange(from: Int, to: Int) -> Range<Int> {
        guard from < to else {
            let at = from < origin.count ? Int(origin[from]) : originalCount
            return at..<at
        }
        // The original scalars from the first one's up to and including the last one's; an
        // expansion (`①` → `1`) maps several normalised scalars to one original scalar.
        return Int(origin[from])..<(Int(origin[to - 1]) + 1)
    }
}
