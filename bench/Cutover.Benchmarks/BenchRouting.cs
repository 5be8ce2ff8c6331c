using Cutover.Core.Classification;
using Cutover.Core.Identity;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;

namespace Cutover.Benchmarks;

/// <summary>
/// The routing state a fresh server runs with: the default domains, keywords (en, fr, rw) and button
/// prefixes from <see cref="CutoverDefaults"/>, built by the server's own <see cref="TopologyFactory"/>,
/// so classification does the work it does in production.
/// </summary>
internal static class BenchRouting
{
    /// <summary>A fixed clock: conversation memory entries stay within their TTL for the whole run.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static RoutingSnapshot Snapshot(decimal percent)
    {
        var options = new CutoverOptions();
        CutoverDefaults.Apply(options, protectedDomainsConfigured: false);
        var topology = TopologyFactory.Create(options);

        // As RoutingService.LoadAsync does for a new store: every candidate but the fallback is routable.
        var routable = topology.RoutableCandidates.Where(static d => d != RouterTopology.FallbackDomain);
        var state = RoutingState.Initial(routable, Now) with { Percent = percent };
        return RoutingSnapshot.Create(topology, state);
    }

    public static ConversationMemory Memory() => new(CutoverDefaults.MemoryCapacity, CutoverDefaults.MemoryTtl);

    /// <summary>
    /// What the server hands the router (CutoverHost): one long-lived <see cref="RoutingMemory"/> over the conversation
    /// memory and an identity map of the default capacity, with the default conversation window. The server's map also
    /// protects identifiers and queues what it learns; neither runs on a lookup of a known person, which is what a
    /// benchmark that repeats one user measures.
    /// </summary>
    public static RoutingMemory Routing(IConversationMemory memory) =>
        new(memory, new IdentityMap(CutoverDefaults.MemoryCapacity), CutoverDefaults.MemoryConversationWindow);
}
