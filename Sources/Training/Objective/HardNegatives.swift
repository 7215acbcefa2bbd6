/// The ranking both MultiBox losses mine from: negative anchors (class 0), hardest first by classification loss,
/// equal losses in anchor order.
enum HardNegatives {
    static func ranked(losses: [Float], classes: [Int]) -> [Int] {
        classes.indices.filter { classes[$0] == 0 }
            .sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }
    }
}
