import Foundation
import YOLOCLI

exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
