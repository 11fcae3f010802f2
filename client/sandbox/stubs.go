package sandbox

type datafoldState struct{}
type posthogState struct{}
type pdcState struct{}
type lightdashState struct{}

func seedDatafold() *datafoldState   { return &datafoldState{} }
func seedPostHog() *posthogState     { return &posthogState{} }
func seedPDC() *pdcState             { return &pdcState{} }
func seedLightdash() *lightdashState { return &lightdashState{} }

func datafoldHandlers() map[string]handlerFunc  { return nil }
func posthogHandlers() map[string]handlerFunc   { return nil }
func pdcHandlers() map[string]handlerFunc       { return nil }
func lightdashHandlers() map[string]handlerFunc { return nil }

func Examples() map[string]map[string]string { return map[string]map[string]string{} }
func CanarySecrets() []string { return nil }
