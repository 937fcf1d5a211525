package emulator

// UserID returns the id of the user with this username (demo mode seeds BridgeInTech data for the demo users).
func (s *Server) UserID(username string) (int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.st.userByUsername(username); u != nil {
		return u.ID, true
	}
	return 0, false
}
