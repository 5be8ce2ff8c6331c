namespace Cutover.EndToEnd.Tests;
