/// Small-cell suppression of counts of people, as statistical offices publish tables.
///
/// - **Primary:** a count of 1 to `minCount − 1` people is not published. Zero is (it describes no one).
/// - **Complementary:** in a group whose total is published (the level bands of one region and
///   occupation, the cities of one province, the provinces of the country, the months of one
///   series), one suppressed count could be recovered by subtracting the others from the total;
///   so while a group has exactly one suppressed count, its smallest published non-zero count is
///   suppressed too. This repeats until no group has exactly one, since suppressing a count in one
///   group can leave another group with a single one.
struct Suppression {
    let minCount: Int

    func isSmall(_ n: Int) -> Bool { n > 0 && n < minCount }

    /// Applies the complementary rule to `cells` (`nil`: suppressed) in place, over `groups`: the
    /// index of a total and of its parts in `cells` (a group whose total is suppressed is left
    /// alone). Returns how many it suppressed.
    @discardableResult
    static func complement(_ cells: inout [Int?], actual: [Int], groups: [(total: Int, parts: [Int])]) -> Int {
        var added = 0
        var changed = true
        while changed {
            changed = false
            for (total, group) in groups where cells[total] != nil {
                let hidden = group.filter { cells[$0] == nil && actual[$0] > 0 }
                guard hidden.count == 1 else { continue }
                let candidates = group.filter { cells[$0] != nil && actual[$0] > 0 }
                guard let smallest = candidates.min(by: { (actual[$0], $0) < (actual[$1], $1) }) else { continue }
                cells[smallest] = nil
                added += 1
                changed = true
            }
        }
        return added
    }
}
