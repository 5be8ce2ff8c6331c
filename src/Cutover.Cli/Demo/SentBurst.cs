namespace Cutover.Cli.Demo;

/// <summary>
/// One burst as the sender saw it: the updates it carried, each POST's acknowledgement time in milliseconds (from the
/// request to the answer, as Meta would measure it), and the idempotency keys of the updates in POSTs answered 200.
/// </summary>
internal sealed record SentBurst(int Updates, IReadOnlyList<double> AckMs, IReadOnlyList<string> AckedKeys);
