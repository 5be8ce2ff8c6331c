namespace Cutover.Cli.Demo;

/// <summary>A webhook body and how many updates it carries.</summary>
internal sealed record SimPost(byte[] Body, int Updates);
