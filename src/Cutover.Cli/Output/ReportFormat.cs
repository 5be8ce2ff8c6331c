namespace Cutover.Cli.Output;

/// <summary>How <c>cutover report</c> is written: Markdown to paste into a ticket or chat, or plain aligned text for email and terminals.</summary>
internal enum ReportFormat
{
    Markdown,
    Text,
}
