package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
)

const (
	ctxPrincipal = "otop.principal"
	ctxToken     = "otop.token"
)

// principalFrom is who makes the request; the zero value is anonymous.
func principalFrom(c *gin.Context) account.Principal {
	p, _ := c.Get(ctxPrincipal)
	principal, _ := p.(account.Principal)
	return principal
}

// authenticate resolves the bearer token, when there is one. A request
// without Authorization is anonymous; one with a bad token is refused, so a
// client never silently loses its identity.
func authenticate(accounts *account.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		header := c.GetHeader("Authorization")
		if header == "" {
			c.Next()
			return
		}
		scheme, token, ok := strings.Cut(header, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 {
			respondError(c, errs.New(errs.ErrUnauthenticated, "malformed Authorization header; use Bearer <token>"))
			return
		}
		p, err := accounts.Authenticate(c.Request.Context(), token)
		if err != nil {
			respondError(c, err)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Set(ctxToken, token)
		c.Next()
	}
}

type userJSON struct {
	ID             uuid.UUID `json:"id"`
	Email          string    `json:"email"`
	Role           string    `json:"role"`
	DisplayName    string    `json:"display_name"`
	Country        *string   `json:"country"`
	SelectCenterID *string   `json:"select_center_id"`
	CreatedAt      time.Time `json:"created_at"`
}

func newUserJSON(u account.User) userJSON {
	return userJSON{
		ID: u.ID, Email: u.Email, Role: string(u.Role), DisplayName: u.DisplayName,
		Country: optional(u.Country), SelectCenterID: optional(u.SelectCenterID), CreatedAt: u.CreatedAt.UTC(),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	Role        string `json:"role"`
	DisplayName string `json:"display_name"`
	Country     string `json:"country"`
}

func (h *handlers) register(c *gin.Context) {
	var req registerRequest
	if err := bindJSON(c, &req, "select_center_id"); err != nil {
		respondError(c, err)
		return
	}
	user, err := h.accounts.Register(c.Request.Context(), account.RegisterInput{
		Email: req.Email, Password: req.Password, Role: account.Role(req.Role),
		DisplayName: req.DisplayName, Country: req.Country, ClientAddr: c.ClientIP(),
	})
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newUserJSON(user))
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginReply struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userJSON  `json:"user"`
}

func (h *handlers) login(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	session, err := h.accounts.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, loginReply{Token: session.Token, TokenType: "Bearer", ExpiresAt: session.ExpiresAt.UTC(), User: newUserJSON(session.User)})
}

func (h *handlers) logout(c *gin.Context) {
	token := c.GetString(ctxToken)
	if token == "" {
		respondError(c, errs.ErrUnauthenticated)
		return
	}
	if err := h.accounts.Logout(c.Request.Context(), token); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// meJSON is the signed-in user with, for a producer, its producer profile.
type meJSON struct {
	userJSON
	ProducerID *uuid.UUID `json:"producer_id"`
}

func (h *handlers) me(c *gin.Context) {
	ctx, p := c.Request.Context(), principalFrom(c)
	user, err := h.accounts.Me(ctx, p)
	if err != nil {
		respondError(c, err)
		return
	}
	out := meJSON{userJSON: newUserJSON(user)}
	if user.Role == account.RoleProducer {
		producer, err := h.catalog.MyProducer(ctx, p)
		switch {
		case err == nil:
			out.ProducerID = &producer.ID
		case !errors.Is(err, errs.ErrNotFound):
			respondError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, out)
}
