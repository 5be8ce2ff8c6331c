using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Cutover.Server.Cluster;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Cluster;

public sealed class StoreAvailabilityTests
{
    [Fact]
    public void FailedThenSucceeded_DegradedSinceTheFirstFailure_ClearedByTheComponentsOwnSuccess()
    {
        // arrange
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        var availability = new StoreAvailability(new CutoverMetrics(services.GetRequiredService<IMeterFactory>()), time,
            NullLogger<StoreAvailability>.Instance);
        var first = time.GetUtcNow();

        // act
        var firstIsNew = availability.Failed(StoreAvailability.MemorySync, new FaultyStore.UnreachableException());
        time.Advance(TimeSpan.FromSeconds(5));
        var secondIsNew = availability.Failed(StoreAvailability.MemorySync, new TimeoutException());
        availability.Failed(StoreAvailability.DecisionLog, new FaultyStore.UnreachableException());
        availability.Succeeded(StoreAvailability.DecisionLog);

        // assert
        Assert.Equal((true, false), (firstIsNew, secondIsNew));
        var failure = Assert.Single(availability.Failures);
        Assert.Equal((StoreAvailability.MemorySync, first, 2L, "the store did not answer in time"),
            (failure.Component, failure.Since, failure.Count, failure.Error));
        availability.Succeeded(StoreAvailability.MemorySync);
        Assert.False(availability.IsDegraded);
    }

    [Fact]
    public void Describe_DriverMessagesWithSecrets_OnlyTheKindOfFailure()
    {
        var secret = new InvalidOperationException("Host=db;Username=cutover;Password=hunter2");

        Assert.Equal("InvalidOperationException", StoreAvailability.Describe(secret));
        Assert.Equal("network error (ConnectionRefused)",
            StoreAvailability.Describe(new StoreException("cannot open Password=hunter2", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.Equal("UnreachableException", StoreAvailability.Describe(new FaultyStore.UnreachableException()));
        Assert.Equal("the store refused the call", StoreAvailability.Describe(new StoreException("Password=hunter2")));
    }
}
