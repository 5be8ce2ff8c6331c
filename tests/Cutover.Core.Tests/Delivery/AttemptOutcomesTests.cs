using Cutover.Core.Delivery;

namespace Cutover.Core.Tests.Delivery;

public sealed class AttemptOutcomesTests
{
    [Theory]
    [InlineData(200, AttemptOutcome.Delivered)]
    [InlineData(201, AttemptOutcome.Delivered)]
    [InlineData(202, AttemptOutcome.Delivered)]
    [InlineData(204, AttemptOutcome.Delivered)]
    [InlineData(299, AttemptOutcome.Delivered)]
    [InlineData(408, AttemptOutcome.Retryable)]
    [InlineData(425, AttemptOutcome.Retryable)]
    [InlineData(429, AttemptOutcome.Retryable)]
    [InlineData(500, AttemptOutcome.Retryable)]
    [InlineData(501, AttemptOutcome.Retryable)]
    [InlineData(502, AttemptOutcome.Retryable)]
    [InlineData(503, AttemptOutcome.Retryable)]
    [InlineData(504, AttemptOutcome.Retryable)]
    [InlineData(599, AttemptOutcome.Retryable)]
    [InlineData(413, AttemptOutcome.TooLarge)]
    [InlineData(414, AttemptOutcome.TooLarge)]
    [InlineData(431, AttemptOutcome.TooLarge)]
    [InlineData(100, AttemptOutcome.Rejected)]
    [InlineData(101, AttemptOutcome.Rejected)]
    [InlineData(199, AttemptOutcome.Rejected)]
    [InlineData(300, AttemptOutcome.Rejected)]
    [InlineData(301, AttemptOutcome.Rejected)]
    [InlineData(302, AttemptOutcome.Rejected)]
    [InlineData(304, AttemptOutcome.Rejected)]
    [InlineData(307, AttemptOutcome.Rejected)]
    [InlineData(399, AttemptOutcome.Rejected)]
    [InlineData(400, AttemptOutcome.Rejected)]
    [InlineData(401, AttemptOutcome.Rejected)]
    [InlineData(403, AttemptOutcome.Rejected)]
    [InlineData(404, AttemptOutcome.Rejected)]
    [InlineData(405, AttemptOutcome.Rejected)]
    [InlineData(409, AttemptOutcome.Rejected)]
    [InlineData(410, AttemptOutcome.Rejected)]
    [InlineData(415, AttemptOutcome.Rejected)]
    [InlineData(422, AttemptOutcome.Rejected)]
    [InlineData(451, AttemptOutcome.Rejected)]
    [InlineData(499, AttemptOutcome.Rejected)]
    [InlineData(600, AttemptOutcome.Rejected)]
    [InlineData(999, AttemptOutcome.Rejected)]
    public void Of_Response_ByStatus(int status, AttemptOutcome expected)
    {
        Assert.Equal(expected, AttemptOutcomes.Of(status, transportError: false));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(404)]
    [InlineData(413)]
    public void Of_TransportError_RetryableWhateverTheStatus(int status)
    {
        Assert.Equal(AttemptOutcome.Retryable, AttemptOutcomes.Of(status, transportError: true));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(1_000)]
    [InlineData(-1)]
    public void Of_ImpossibleStatusWithoutTransportError_Throws(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AttemptOutcomes.Of(status, transportError: false));
    }
}
