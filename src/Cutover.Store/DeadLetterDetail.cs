namespace Cutover.Store;

/// <summary>A dead letter with its webhook's stored body and every attempt ever made to deliver it, first first (replays included).</summary>
public sealed record DeadLetterDetail(DeadLetter Letter, byte[] Body, IReadOnlyList<DeliveryAttempt> History);
