namespace Cutover.Core.Webhooks;

/// <summary>What one update of a webhook POST is.</summary>
public enum UpdateKind
{
    /// <summary>An item of <c>value.messages[]</c> under field <c>messages</c>.</summary>
    Message = 0,

    /// <summary>An item of <c>value.statuses[]</c> under field <c>messages</c>.</summary>
    Status = 1,

    /// <summary>
    /// A whole <c>changes[]</c> item that carries no message or status of its own: another field
    /// (account_update, calls, template updates, …) or a <c>messages</c> change with only <c>errors</c>.
    /// </summary>
    Change = 2,
}
