namespace Cutover.Cli.Demo;

/// <summary>The kinds of update the generator makes.</summary>
internal enum SimKind
{
    Text,
    Button,
    Image,
    Location,
    Reaction,
    Status,
}
