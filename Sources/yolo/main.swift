import Foundation
import YOLOCLI

CLI.setThreadsPerRank()
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
