namespace Cutover.Cli.Tests;
