using Cutover.Core.Classification;

namespace Cutover.Core.Tests.Classification;

public sealed class ConversationMemoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryRecall_WithinTtl_ReturnsLastDomain()
    {
        var memory = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        memory.Remember("u1", "jobs", Start);
        memory.Remember("u1", "property", Start.AddMinutes(1));

        Assert.True(memory.TryRecall("u1", Start.AddMinutes(30), out var domain));
        Assert.Equal("property", domain);
    }

    [Fact]
    public void RememberIfNewer_OlderSighting_DoesNotUndoANewerOne()
    {
        var memory = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        memory.Remember("u1", "property", Start.AddMinutes(2));

        var older = memory.RememberIfNewer("u1", "jobs", Start.AddMinutes(1));
        var newer = memory.RememberIfNewer("u1", "marketplace", Start.AddMinutes(3));

        Assert.Equal((false, true), (older, newer));
        Assert.True(memory.TryRecall("u1", Start.AddMinutes(4), out var domain, out var seenAt));
        Assert.Equal(("marketplace", Start.AddMinutes(3)), (domain, seenAt));
    }

    [Fact]
    public void TryRemember_RepeatWithinASecond_SaysNothingWasWritten()
    {
        var memory = new ConversationMemory(100, TimeSpan.FromMinutes(30));

        Assert.True(memory.TryRemember("u1", "jobs", Start));
        Assert.False(memory.TryRemember("u1", "jobs", Start.AddMilliseconds(500)));
        Assert.True(memory.TryRemember("u1", "property", Start.AddMilliseconds(600)));
    }

    [Fact]
    public void TryRecall_AfterTtl_Forgets()
    {
        var memory = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        memory.Remember("u1", "jobs", Start);

        Assert.False(memory.TryRecall("u1", Start.AddMinutes(30).AddTicks(1), out _));
    }

    [Fact]
    public void Remember_SameDomainAgain_TtlCountsFromTheLastMessageToWithinASecond()
    {
        var memory = new ConversationMemory(100, TimeSpan.FromMinutes(30));
        memory.Remember("u1", "jobs", Start);
        memory.Remember("u1", "jobs", Start.AddMilliseconds(500));
        memory.Remember("u1", "jobs", Start.AddMinutes(10));
        memory.Remember("u1", "property", Start.AddMinutes(10).AddMilliseconds(10));

        Assert.True(memory.TryRecall("u1", Start.AddMinutes(40), out var domain));
        Assert.Equal("property", domain);
        Assert.False(memory.TryRecall("u1", Start.AddMinutes(40).AddSeconds(1), out _));
    }

    [Fact]
    public void Remember_BeyondCapacity_StaysBoundedAndKeepsRecentUsers()
    {
        var memory = new ConversationMemory(1_000, TimeSpan.FromHours(1));
        for (var i = 0; i < 10_000; i++)
        {
            memory.Remember($"user{i}", "jobs", Start);
        }

        Assert.InRange(memory.Count, 1, 1_000);
        Assert.True(memory.TryRecall("user9999", Start, out _));
        Assert.False(memory.TryRecall("user0", Start, out _));
    }

    [Fact]
    public void Remember_ConcurrentWriters_NeverExceedsCapacity()
    {
        var memory = new ConversationMemory(2_000, TimeSpan.FromHours(1));

        var writers = new ParallelOptions { MaxDegreeOfParallelism = 8 };

        Parallel.For(0, 50_000, writers, i => memory.Remember($"user{i % 7_000}", "jobs", Start));

        // Each generation may overshoot by the writers that added while it was being rotated out.
        Assert.InRange(memory.Count, 1, 2_000 + (2 * writers.MaxDegreeOfParallelism));
    }

    [Fact]
    public void OverlayMemory_WritesStayInOverlay()
    {
        var live = new ConversationMemory(100, TimeSpan.FromHours(1));
        live.Remember("u1", "jobs", Start);
        var overlay = new OverlayMemory(live);

        overlay.Remember("u1", "property", Start);
        overlay.Remember("u2", "marketplace", Start);

        Assert.True(overlay.TryRecall("u1", Start, out var seen) && seen == "property");
        Assert.True(live.TryRecall("u1", Start, out var kept) && kept == "jobs");
        Assert.False(live.TryRecall("u2", Start, out _));
    }
}
