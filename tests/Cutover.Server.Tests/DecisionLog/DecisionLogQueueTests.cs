using System.Diagnostics.Metrics;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.DecisionLog;

public sealed class DecisionLogQueueTests
{
    [Fact]
    public void TryEnqueue_Full_DropsAndCountsNeverBlocks()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new CutoverOptions { DecisionLog = new DecisionLogOptions { QueueCapacity = 3, BatchSize = 3 } });
        var queue = new DecisionLogQueue(options, new CutoverMetrics(services.GetRequiredService<IMeterFactory>()));
        var record = new DecisionRecord(DateTimeOffset.UnixEpoch, "c", "m", "u", UpdateKind.Message, "jobs", ClassificationRule.Keyword, 1,
            Route.Legacy, "jobs", null, true, 200, 1, null, false);

        var accepted = Enumerable.Range(0, 10).Count(_ => queue.TryEnqueue(record));

        Assert.Equal(3, accepted);
        Assert.Equal(new DecisionLogCounters(3, 3, 0, 7, 0), queue.Counters);
    }
}
