import Testing
@testable import TemperReward

@Suite struct StatisticsTests {
    @Test func correlationsMatchScipy() throws {
        // scipy.stats.pearsonr([1,2,3,4,5],[2,1,4,3,5]) = 0.8; spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
        #expect(abs(try #require(Statistics.pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])) - 0.8) < 1e-12)
        #expect(abs(try #require(Statistics.spearman([1, 2, 2, 3], [1, 3, 2, 4])) - 0.9486832980505138) < 1e-12)
        #expect(Statistics.ranks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
        #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]) == nil)
        #expect(abs(Statistics.standardDeviation([1, 2, 3, 4]) - 1.2909944487358056) < 1e-12)
    }
}
