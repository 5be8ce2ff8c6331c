namespace Cutover.Core.Classification;

/// <summary>The names of <see cref="ClassificationRule"/> as they appear in JSON, logs and SQL.</summary>
public static class ClassificationRuleNames
{
    public static string ToName(this ClassificationRule rule) => rule switch
    {
        ClassificationRule.Override => "override",
        ClassificationRule.PhoneNumberId => "phone_number_id",
        ClassificationRule.Interactive => "interactive",
        ClassificationRule.Keyword => "keyword",
        ClassificationRule.Memory => "memory",
        ClassificationRule.Field => "field",
        ClassificationRule.Fallback => "fallback",
        ClassificationRule.Conversation => "conversation",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };
}
